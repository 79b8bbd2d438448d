/**
 * Living beside the app's own data, without a stack: the stored-document parsers (a shared
 * `users/{uid}` never crashes a read; an unreadable call names its path), the collection-name
 * params, and what `npm run print-config` prints (the committed rules and indexes are its
 * output for the default names; the exemptions name only fields Ringback writes).
 */
import fs from "node:fs";
import path from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import { afterEach, describe, expect, it } from "vitest";
import { toHttpsError } from "../../functions/src/adapters/callable/httpsErrors.js";
import {
  DEFAULT_NAMES,
  namesProblem,
  CHANNEL_ROWS,
  PRIVATE_COLLECTIONS,
} from "../../functions/src/model/collections.js";
import {
  CALL_FIELDS,
  parseOwn,
  parseUserFields,
  storedBucket,
  storedCall,
  UnreadableDocument,
  USER_FIELDS,
} from "../../functions/src/model/documents.js";
import { checkParams, sharedNames } from "../../functions/src/params.js";
import { indexConfig, rulesBlock, rulesFile, warnings } from "../../scripts/ops/ringbackConfig.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const IDLE = { status: "idle", call_id: null, incoming: null, device_id: null };

describe("users/{uid} as Ringback reads it", () => {
  it("a doc with only the app's fields, or none at all, is an idle user", () => {
    expect(parseUserFields({ displayName: "A", tags: [1], prefs: { a: 1 } })).toEqual({
      ...IDLE,
      updated_at: 0,
    });
    expect(parseUserFields(undefined)).toEqual({ ...IDLE, updated_at: 0 });
  });

  it("reads Ringback's five fields and nothing else", () => {
    const t = Timestamp.fromMillis(5000);
    const d = parseUserFields({
      status: "calling",
      call_id: "c1",
      incoming: null,
      device_id: "phone",
      updated_at: t,
      displayName: "A",
    });
    expect(d).toEqual({
      status: "calling",
      call_id: "c1",
      incoming: null,
      device_id: "phone",
      updated_at: 5000,
    });
    expect(Object.keys(d).sort()).toEqual([...USER_FIELDS].sort());
  });

  it("a malformed field reads as its idle value, a status without a call as idle", () => {
    expect(
      parseUserFields({ status: "ringing", call_id: 7, updated_at: "yesterday", incoming: "x" }),
    ).toEqual({ ...IDLE, updated_at: 0 });
    expect(parseUserFields({ status: "in_call", call_id: "c1", device_id: ["x"] })).toEqual({
      status: "in_call",
      call_id: "c1",
      incoming: null,
      device_id: null,
      updated_at: 0,
    });
    expect(parseUserFields({ status: "dancing", call_id: "c1" })).toMatchObject(IDLE);
  });
});

describe("Ringback's own documents", () => {
  it("an unreadable call is an error naming its path, and clients see data-loss with it", () => {
    let caught: unknown;
    try {
      parseOwn(storedCall, "calls/c1", { call_id: "c1", created_at: "yesterday" });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnreadableDocument);
    expect((caught as Error).message).toMatch(/^calls\/c1 is not a Ringback document: /);
    const e = toHttpsError(caught);
    expect([e.code, e.details]).toEqual([
      "data-loss",
      { reason: "unreadable_document", path: "calls/c1" },
    ]);
  });

  it("a malformed rate-limit bucket does not parse (it reads as a full one)", () => {
    expect(storedBucket.safeParse({ tokens: "3" }).success).toBe(false);
  });
});

describe("collection names", () => {
  afterEach(() => {
    delete process.env.RINGBACK_USERS_COLLECTION;
    delete process.env.RINGBACK_CALLS_COLLECTION;
  });

  it("default to users and calls, and follow the params", () => {
    expect(sharedNames()).toEqual(DEFAULT_NAMES);
    process.env.RINGBACK_USERS_COLLECTION = "profiles";
    process.env.RINGBACK_CALLS_COLLECTION = "rb_calls";
    expect(sharedNames()).toEqual({ users: "profiles", calls: "rb_calls" });
  });

  it.each([
    [{ users: "a/b", calls: "calls" }, /users collection "a\/b"/],
    [{ users: "__x__", calls: "calls" }, /users collection/],
    [{ users: "same", calls: "same" }, /must differ/],
    [{ users: "users", calls: "ringback_push_jobs" }, /Ringback's own/],
    [{ users: "notifications", calls: "calls" }, /Ringback's own/],
  ])("refuse %j", (names, message) => {
    expect(namesProblem(names)).toMatch(message);
    process.env.RINGBACK_USERS_COLLECTION = names.users;
    process.env.RINGBACK_CALLS_COLLECTION = names.calls;
    expect(() => checkParams()).toThrow(/RINGBACK_USERS_COLLECTION \/ RINGBACK_CALLS_COLLECTION/);
  });
});

describe("print-config", () => {
  it("the committed rules and indexes are what it prints for the default names", () => {
    expect(read("rules/ringback.rules")).toBe(rulesBlock());
    expect(JSON.parse(read("firestore.indexes.json"))).toEqual(indexConfig());
    expect(read("firestore.rules")).toContain(rulesBlock());
    expect(rulesFile()).toContain(rulesBlock());
  });

  it("moves every shared path, and nothing private, to the configured names", () => {
    const names = { users: "app_people", calls: "rb_calls" };
    const block = rulesBlock(names);
    expect(block).toContain("match /app_people/{uid} {");
    expect(block).toContain("match /rb_calls/{callId} {");
    expect(block).not.toMatch(/match \/(users|calls)\//);
    expect(block).toContain("npm run print-config -- --users app_people --calls rb_calls");
    const groups = new Set(
      [...indexConfig(names).indexes, ...indexConfig(names).fieldOverrides].map(
        (i) => i.collectionGroup,
      ),
    );
    expect([...groups].sort()).toEqual(
      [
        "app_people",
        "rb_calls",
        "notifications",
        ...Object.values(PRIVATE_COLLECTIONS),
        CHANNEL_ROWS.outbox,
      ].sort(),
    );
  });

  it("exempts only fields Ringback writes, and warns about every shared name", () => {
    const names = { users: "app_people", calls: "rb_calls" };
    const { fieldOverrides } = indexConfig(names);
    const on = (g: string) =>
      fieldOverrides.filter((o) => o.collectionGroup === g).map((o) => o.fieldPath);
    expect(on("app_people").sort()).toEqual([...USER_FIELDS].sort());
    for (const f of on("rb_calls")) expect(CALL_FIELDS).toContain(f);
    expect(on("notifications").sort()).toEqual(["body", "expire_at", "path", "seq"]);
    // The defaults are generic names: one more warning each.
    expect(warnings(names)).toHaveLength(2);
    expect(warnings()).toHaveLength(4);
    expect(warnings().join("\n")).toMatch(/RINGBACK_USERS_COLLECTION/);
    expect(warnings().join("\n")).toMatch(/expire_at is deleted/);
  });

  it("keeps the app's own subcollections of users/{uid} closed", () => {
    expect(rulesBlock()).not.toContain("{document=**}");
    expect(rulesBlock()).toContain("function ringbackFieldsUnchanged()");
  });
});

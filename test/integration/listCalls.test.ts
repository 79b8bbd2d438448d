/**
 * listCalls (ZIM queryCallInvitationList): the user's calls newest first, paged by an opaque
 * next_flag that never repeats or skips a call while new calls arrive between pages.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collections } from "../../functions/src/adapters/store/firestore.js";
import { cancel } from "../../functions/src/core/commands.js";
import { startCall } from "../../functions/src/core/create.js";
import { Draft } from "../../functions/src/core/draft.js";
import { adminDb } from "../support/admin.js";
import { ring, users } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { HEARTBEAT } from "../support/heartbeat.js";

afterAll(closeAll);

interface Listed {
  call_id: string;
  state: string;
  end_reason: string | null;
  user_state: string | null;
  created_at: string;
  users: { id: string; name: string; state: string }[];
}
interface Page {
  calls: Listed[];
  next_flag: string;
}

const cfg = { heartbeatIntervalS: HEARTBEAT.intervalS, heartbeatTimeoutMs: HEARTBEAT.timeoutMs };
const HISTORY = 250;
let alice: TestUser, bob: TestUser, carol: TestUser;
/** The seeded calls, newest first as listCalls must return them; Carol's among them. */
let seeded: string[] = [];
let carols: string[] = [];

beforeAll(async () => {
  [alice, bob, carol] = await users("alice", "bob", "carol");
  // 250 ended calls of Alice's (as the server writes them), one a second back in time, with
  // pairs sharing a creation time so that the order's tie-break (the call id) is exercised.
  const col = collections(adminDb());
  const base = Date.now() - 3_600_000;
  const batch = adminDb().batch();
  const made: { id: string; at: number }[] = [];
  for (let i = 0; i < HISTORY; i++) {
    const at = base + Math.floor(i / 2) * 1000;
    const id = `hist-${String(i).padStart(3, "0")}-${alice.uid.slice(0, 6)}`;
    const callee = i % 3 === 0 ? carol : bob;
    const started = startCall(
      { type: 1, mode: "common", timeout: 60, not_received_check: false },
      {
        call_id: id,
        caller: { id: alice.uid, name: "alice" },
        callees: [{ id: callee.uid, name: callee.name }],
        busy: new Set(),
        request_hash: id,
        error_invitees: [],
      },
      at,
      cfg,
    ).call;
    const d = new Draft(started, at + 500, cfg);
    cancel(d, alice.uid, {});
    batch.set(col.calls.doc(id), d.finish().call);
    made.push({ id, at });
  }
  await batch.commit();
  seeded = made.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)).map((m) => m.id);
  carols = seeded.filter((id) => Number(id.slice(5, 8)) % 3 === 0);
  expect(carols).toHaveLength(Math.ceil(HISTORY / 3));
});

describe("listCalls", () => {
  it("pages through 250 calls newest first while new calls arrive: none twice, none missed", async () => {
    const seen: Listed[] = [];
    let flag = "";
    let pages = 0;
    let added = 0;
    do {
      const page = await alice.call<Page>("listCalls", {
        count: 7,
        ...(flag ? { next_flag: flag } : {}),
      });
      seen.push(...page.calls);
      flag = page.next_flag;
      pages += 1;
      if (pages % 9 === 1) {
        // A new call arrives between pages: it is newer than every page so far.
        const { call_id } = await ring(alice, bob);
        await alice.call("cancelCall", { call_id });
        added += 1;
      }
    } while (flag !== "");
    expect(added).toBeGreaterThanOrEqual(4);
    expect(seen.map((c) => c.call_id)).toEqual(seeded);
    expect(pages).toBe(Math.ceil(HISTORY / 7));
    const first = seen[0]!;
    expect(first).toMatchObject({ state: "ended", end_reason: "canceled", user_state: "quit" });
    expect(first.users.map((u) => u.id)[0]).toBe(alice.uid);
    expect(first.users[1]).toMatchObject({ state: "canceled" });
    // The new calls are at the top of a fresh first page, the history right after them.
    const fresh = await alice.call<Page>("listCalls", { count: added + 1 });
    expect(fresh.calls.slice(0, added).every((c) => !c.call_id.startsWith("hist-"))).toBe(true);
    expect(fresh.calls[added]?.call_id).toBe(seeded[0]);
  });

  it("a count above 100 is cut to 100; the default is 20", async () => {
    const big = await alice.call<Page>("listCalls", { count: 1000 });
    expect(big.calls).toHaveLength(100);
    expect(big.next_flag).not.toBe("");
    const dflt = await alice.call<Page>("listCalls", {});
    expect(dflt.calls).toHaveLength(20);
  });

  it("lists only the caller's own calls, and a user with none gets an empty last page", async () => {
    const carolsOwn = await carol.call<Page>("listCalls", { count: 100 });
    expect(carolsOwn.calls.map((c) => c.call_id)).toEqual(carols);
    expect(carolsOwn.next_flag).toBe("");
    for (const c of carolsOwn.calls) expect(c.user_state).toBe("canceled");
    const [nobody] = await users("nobody");
    expect(await nobody.call<Page>("listCalls", { count: 5 })).toEqual({
      calls: [],
      next_flag: "",
    });
  });

  it("bad count or next_flag: invalid-argument on the field", async () => {
    for (const count of [0, -1, 2.5, "10", null]) {
      const e = await expectCallError(alice.call("listCalls", { count }), "invalid-argument");
      expect(e.details?.field).toBe("count");
    }
    for (const next_flag of [
      "not-a-flag",
      Buffer.from('["x","y"]').toString("base64url"),
      "a".repeat(600),
    ]) {
      const e = await expectCallError(alice.call("listCalls", { next_flag }), "invalid-argument");
      expect(e.details?.field).toBe("next_flag");
    }
  });
});

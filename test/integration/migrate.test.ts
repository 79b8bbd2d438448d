/**
 * `npm run migrate-collections` (scripts/ops/migrateCollections.ts) on the real emulator: the
 * private collections move to their `ringback_` names, rows the new version already wrote win,
 * an app's own rows under the old names stay where they are, and the backstop then finds a
 * pending callback that waited in the old outbox. Nothing of the app's `users/{uid}` is touched.
 */
import { Timestamp } from "firebase-admin/firestore";
import { beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "../../functions/src/adapters/context.js";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { unsentSince } from "../../functions/src/channels/outbox.js";
import {
  LEGACY_PRIVATE_COLLECTIONS as OLD,
  PRIVATE_COLLECTIONS as NEW,
} from "../../functions/src/model/collections.js";
import { migrateCollections } from "../../scripts/ops/migrateCollections.js";
import { directProject } from "../support/directProject.js";
import { userPath } from "../support/names.js";
import { z } from "zod";

const PROJECT = "demo-ringback-migrate";
let ctx: Ctx;

beforeAll(async () => {
  ctx = await directProject(PROJECT);
});

const past = Timestamp.fromMillis(Date.now() - 3_600_000);
const now = Timestamp.now();

/** Rows as an earlier release wrote them, under the old names. */
const OLD_ROWS: Record<string, Record<string, unknown>> = {
  [`${OLD.rateLimits}/alice`]: { tokens: 4, updated_at: now },
  [`${OLD.webhookEvents}/c1-1-0`]: {
    event_id: "c1-1-0",
    event: "call_create",
    fields: { caller: "alice" },
    nonce: "n1",
    call_id: "c1",
    shard: shardOf("c1"),
    unsent_since: past,
  },
  [`${OLD.pushJobs}/c1-ring-x`]: {
    job_id: "c1-ring-x",
    call_id: "c1",
    uid: "bob",
    type: "ring",
    status: "pending",
  },
  [`${OLD.pushTokens}/fcm_token-a`]: { uid: "bob", device_id: "phone" },
  [`${OLD.pushTokens}/fcm_token-b`]: { uid: "bob", device_id: "old-tablet" },
};

describe("migrateCollections", () => {
  it("moves Ringback's rows, keeps newer ones, and leaves the app's alone", async () => {
    const db = ctx.db;
    for (const [path, data] of Object.entries(OLD_ROWS)) await db.doc(path).set(data);
    // The new version already moved token b to another device before the migration ran.
    await db.doc(`${NEW.pushTokens}/fcm_token-b`).set({ uid: "bob", device_id: "tablet" });
    // The app's own collection under an old name, and its profile.
    await db.doc(`${OLD.pushTokens}/app-1`).set({ token: "app's own", owner: "x" });
    await db.doc(userPath("alice")).set({ displayName: "Alice", status: "idle" });

    const dry = await migrateCollections(db, { dryRun: true, pageSize: 2 });
    expect(Object.values(dry).map((c) => c.scanned)).toEqual([1, 1, 1, 3]);
    expect(Object.values(dry).map((c) => c.copied + c.deleted)).toEqual([0, 0, 0, 0]);
    expect((await db.doc(`${OLD.rateLimits}/alice`).get()).exists).toBe(true);

    const run = await migrateCollections(db, { pageSize: 2 });
    expect(run[`${OLD.pushTokens} -> ${NEW.pushTokens}`]).toEqual({
      scanned: 3,
      copied: 1,
      kept: 1,
      deleted: 2,
      foreign: 1,
    });
    for (const [path, data] of Object.entries(OLD_ROWS)) {
      expect((await db.doc(path).get()).exists, `${path} moved`).toBe(false);
      const [col, id] = path.split("/") as [string, string];
      const key = Object.entries(OLD).find(([, v]) => v === col)?.[0] as keyof typeof NEW;
      const moved = (await db.doc(`${NEW[key]}/${id}`).get()).data();
      if (id === "fcm_token-b") expect(moved).toEqual({ uid: "bob", device_id: "tablet" });
      else expect(moved, `${NEW[key]}/${id}`).toEqual(data);
    }
    expect((await db.doc(`${OLD.pushTokens}/app-1`).get()).data()).toEqual({
      token: "app's own",
      owner: "x",
    });
    expect((await db.doc(userPath("alice")).get()).data()).toEqual({
      displayName: "Alice",
      status: "idle",
    });

    // The callback that waited in the old outbox is found by the backstop's query now.
    const found = await unsentSince(
      db.collection(NEW.webhookEvents),
      z.looseObject({ event_id: z.string() }), // the backstop's query; the row's shape is not the point
      Date.now(),
      10,
    );
    expect(found.map((r) => r.event_id)).toEqual(["c1-1-0"]);

    // A second run finds only the app's row, and leaves it.
    const again = await migrateCollections(db);
    expect(Object.values(again).map((c) => c.copied + c.deleted)).toEqual([0, 0, 0, 0]);
    expect(again[`${OLD.pushTokens} -> ${NEW.pushTokens}`]?.foreign).toBe(1);
  });
});

/**
 * The shard backfill (scripts/ops/backfillShards.ts) on the real emulator: rows
 * written before `shard` existed are invisible to the sweeps until it runs, and found after.
 */
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { beforeAll, describe, expect, it } from "vitest";
import { backfillShards } from "../../scripts/ops/backfillShards.js";
import type { Ctx } from "../../functions/src/adapters/context.js";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { sweepDue } from "../../functions/src/adapters/calls/sweep.js";
import { unsentSince } from "../../functions/src/channels/outbox.js";
import { startDirect } from "../../bench/lib/inProcess.js";
import { PRIVATE_COLLECTIONS as P } from "../../functions/src/model/collections.js";
import { directProject } from "../support/directProject.js";
import { names } from "../support/names.js";
import { z } from "zod";

/** The rows here are bare (what an old deployment wrote): read them as they are. */
const anyRow = z.looseObject({ call_id: z.string() });

const C = names.calls;

const PROJECT = "demo-ringback-backfill";
let ctx: Ctx;

beforeAll(async () => {
  ctx = await directProject(PROJECT);
});

/** A row as an older deployment wrote it: the same, without `shard`. */
const unshard = (path: string) => ctx.db.doc(path).update({ shard: FieldValue.delete() });

describe("backfillShards", () => {
  it("makes calls, outbox events and push jobs written without a shard visible to the sweeps", async () => {
    // A live overdue call, an ended one, and one that already has its shard.
    const old = (await startDirect(ctx, { caller: "a0", callees: ["b0"], timeout: 1 })).call_id;
    const ended = (await startDirect(ctx, { caller: "a1", callees: ["b1"], timeout: 1 })).call_id;
    const current = (await startDirect(ctx, { caller: "a2", callees: ["b2"], timeout: 1 })).call_id;
    await unshard(`${C}/${old}`);
    await ctx.db.doc(`${C}/${ended}`).update({
      shard: FieldValue.delete(),
      state: "ended",
      next_deadline_at: null,
      task_at: null,
    });
    // Outbox rows and push jobs: one never attempted (unsent), one already delivered.
    const past = Timestamp.fromMillis(Date.now() - 3_600_000);
    for (const col of [P.webhookEvents, P.pushJobs]) {
      await ctx.db.doc(`${col}/unsent`).set({ call_id: old, unsent_since: past });
      await ctx.db.doc(`${col}/sent`).set({ call_id: old, unsent_since: null });
    }
    await new Promise((r) => setTimeout(r, 1100)); // the calls' 1 s ring is over

    // Before: the old call and rows are invisible (only the call with a shard is swept).
    expect(await sweepDue(ctx)).toMatchObject({ examined: 1, changed: 1 });
    for (const col of [P.webhookEvents, P.pushJobs])
      expect(await unsentSince(ctx.db.collection(col), anyRow, Date.now(), 10)).toEqual([]);

    // A dry run counts and writes nothing.
    const dry = await backfillShards(ctx.db, { dryRun: true, pageSize: 2 });
    expect(dry).toEqual({
      [C]: { scanned: 3, stale: 1, written: 0 },
      [P.webhookEvents]: { scanned: 2, stale: 1, written: 0 },
      [P.pushJobs]: { scanned: 2, stale: 1, written: 0 },
    });
    expect((await ctx.db.doc(`${C}/${old}`).get()).data()?.shard).toBeUndefined();

    // The run (pages of 2, so it pages): only what a sweep still needs is written.
    const run = await backfillShards(ctx.db, { pageSize: 2 });
    expect(run).toEqual({
      [C]: { scanned: 3, stale: 1, written: 1 },
      [P.webhookEvents]: { scanned: 2, stale: 1, written: 1 },
      [P.pushJobs]: { scanned: 2, stale: 1, written: 1 },
    });
    expect((await ctx.db.doc(`${C}/${old}`).get()).data()?.shard).toBe(shardOf(old));
    expect((await ctx.db.doc(`${C}/${ended}`).get()).data()?.shard).toBeUndefined();
    expect((await ctx.db.doc(`${C}/${current}`).get()).data()?.shard).toBe(shardOf(current));
    for (const col of [P.webhookEvents, P.pushJobs]) {
      const found = await unsentSince(ctx.db.collection(col), anyRow, Date.now(), 10);
      expect(found).toEqual([{ call_id: old, unsent_since: past, shard: shardOf(old) }]);
      expect((await ctx.db.doc(`${col}/sent`).get()).data()?.shard).toBeUndefined();
    }

    // After: the sweep finds the old call and times it out.
    expect(await sweepDue(ctx)).toMatchObject({ examined: 1, changed: 1 });
    expect((await ctx.db.doc(`${C}/${old}`).get()).data()).toMatchObject({
      state: "ended",
      end_reason: "no_answer",
    });

    // A second run finds nothing left to do.
    const again = await backfillShards(ctx.db);
    expect(Object.values(again).map((c) => c.stale)).toEqual([0, 0, 0]);
  });

  it("clears the task_at an ended call kept, which the sweep's due query (task_at) would find", async () => {
    // As the code before the task_at index left a call its own deadline task ended.
    const id = (await startDirect(ctx, { caller: "e0", callees: ["f0"], timeout: 1 })).call_id;
    await new Promise((r) => setTimeout(r, 1100));
    const ran = Timestamp.fromMillis(Date.now() - 1000);
    await ctx.db.doc(`${C}/${id}`).update({ state: "ended", next_deadline_at: null, task_at: ran });

    const dry = await backfillShards(ctx.db, { dryRun: true });
    expect(dry[C]).toMatchObject({ stale: 1, written: 0 });
    expect(await backfillShards(ctx.db)).toMatchObject({ [C]: { stale: 1, written: 1 } });
    const call = (await ctx.db.doc(`${C}/${id}`).get()).data();
    expect(call).toMatchObject({ state: "ended", task_at: null, shard: shardOf(id) });
    expect(await sweepDue(ctx)).toMatchObject({ examined: 0, changed: 0 });
  });

  it("a call ended with its task run keeps no task_at, so the sweep finds it no more", async () => {
    const id = (await startDirect(ctx, { caller: "g0", callees: ["h0"], timeout: 1 })).call_id;
    await new Promise((r) => setTimeout(r, 1100));
    // The sweep applies the timeout (as the task would): the call ends, its task_at goes.
    expect(await sweepDue(ctx)).toMatchObject({ examined: 1, changed: 1 });
    const call = (await ctx.db.doc(`${C}/${id}`).get()).data();
    expect(call).toMatchObject({ state: "ended", next_deadline_at: null, task_at: null });
    expect(await sweepDue(ctx)).toMatchObject({ examined: 0, changed: 0 });
    expect((await backfillShards(ctx.db))[C]).toMatchObject({ stale: 0 });
  });
});

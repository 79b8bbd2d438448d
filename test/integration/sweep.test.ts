/**
 * The sweep's own logic, run directly (not through the scheduled trigger) on a Firestore
 * emulator project of its own, so the count of calls it examines is exact: it must find
 * the overdue calls through `next_deadline_at` and never look at the others.
 */
import { Timestamp } from "firebase-admin/firestore";
import { beforeAll, describe, expect, it } from "vitest";
import type { Ctx } from "../../functions/src/adapters/context.js";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { sweepDue } from "../../functions/src/adapters/calls/sweep.js";
import { startDirect } from "../../bench/lib/inProcess.js";
import { directProject } from "../support/directProject.js";
import { names } from "../support/names.js";

const PROJECT = "demo-ringback-sweep";
let ctx: Ctx;

beforeAll(async () => {
  ctx = await directProject(PROJECT);
});

async function start(caller: string, callee: string, timeout: number): Promise<string> {
  const r = await startDirect(ctx, { caller, callees: [callee], timeout });
  return r.call_id;
}

describe("sweepDue", () => {
  it("settles exactly the overdue calls and examines no other", async () => {
    const due = await Promise.all(Array.from({ length: 8 }, (_, i) => start(`a${i}`, `b${i}`, 1)));
    const createdAt = Date.now();
    const notDue = [];
    for (let i = 0; i < 30; i++) notDue.push(await start(`c${i}`, `d${i}`, 600));
    await new Promise((r) => setTimeout(r, Math.max(0, createdAt + 1100 - Date.now())));

    expect(await sweepDue(ctx)).toEqual({ examined: 8, changed: 8, failed: 0, rescheduled: 0 });
    for (const id of due) {
      const call = (await ctx.db.collection(names.calls).doc(id).get()).data();
      expect(call?.shard).toBe(shardOf(id)); // the index shard the sweep found it under
      expect(call).toMatchObject({
        state: "ended",
        end_reason: "no_answer",
        next_deadline_at: null,
      });
    }
    for (const id of notDue) {
      expect((await ctx.db.collection(names.calls).doc(id).get()).data()?.state).toBe("ringing");
    }
    const b0 = (await ctx.db.collection(names.users).doc("b0").get()).data();
    expect(b0).toMatchObject({ status: "idle", call_id: null, incoming: null });
    const notes = await ctx.db.collection(names.users).doc("b0").collection("notifications").get();
    expect(notes.docs.map((d) => d.data().path).sort()).toEqual([
      "/call/notify_call_invited",
      "/call/notify_invitation_timeout",
      "/call/notify_user_state_changed",
    ]);

    // Nothing is due any more: a second sweep examines nothing.
    expect(await sweepDue(ctx)).toEqual({ examined: 0, changed: 0, failed: 0, rescheduled: 0 });
  });

  it("pages through more overdue calls than one page holds", async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => start(`p${i}`, `q${i}`, 1)));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await sweepDue(ctx, { pageSize: 5 })).toEqual({
      examined: 12,
      changed: 12,
      failed: 0,
      rescheduled: 0,
    });
    const states = await Promise.all(
      ids.map(async (id) => (await ctx.db.collection(names.calls).doc(id).get()).data()?.state),
    );
    expect(states.every((s) => s === "ended")).toBe(true);
  });

  it("a call that always fails neither stops the sweep nor keeps the head of the queue", async () => {
    // A poison call: its users list names somebody the call has no entry for, so every
    // attempt to settle it throws. Its deadline is the oldest, so it sorts first.
    const poison = await start("x0", "y0", 1);
    const ref = ctx.db.collection(names.calls).doc(poison);
    await ref.update({
      user_ids: ["x0", "y0", "ghost"],
      next_deadline_at: Timestamp.fromMillis(Date.now() - 60_000),
    });
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => start(`s${i}`, `t${i}`, 1)));
    await new Promise((r) => setTimeout(r, 1100));

    // Pages of 5, 2 at a time: the poison call is in the first batch of the first page.
    const now = Date.now();
    expect(await sweepDue(ctx, { pageSize: 5, concurrency: 2 })).toEqual({
      examined: 13,
      changed: 12,
      failed: 1,
      rescheduled: 0,
    });
    for (const id of ids) {
      expect((await ctx.db.collection(names.calls).doc(id).get()).get("state")).toBe("ended");
    }
    // Backed off: the poison call is no longer due, so the next sweeps do not meet it first.
    const backedOff = (await ref.get()).data()!;
    expect(backedOff.next_deadline_at.toMillis()).toBeGreaterThan(now);
    expect(backedOff.sweep_failures).toBe(1);
    expect(await sweepDue(ctx)).toEqual({ examined: 0, changed: 0, failed: 0, rescheduled: 0 });
  });
});

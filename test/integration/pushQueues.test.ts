/**
 * Push tasks spread over queues by call shard (channels/push/queue.ts, the deadline tasks'
 * rule): calls whose shards pick different queues have their ring and cancel pushes sent by
 * tasks dispatched on each call's own queue (`pushTask`, `pushTask1`, …), as the
 * scheduled-task stand-in records, and the pushes still reach the devices; a ring whose
 * enqueue was lost is enqueued again by the sweep's backstop on that same queue. The callables run
 * in this process, so the file routes over the default 4 queues itself (the local stack's
 * functions use one unless told: scripts/stack.mjs), and sends nothing inline (budget 0) so
 * that the tasks do the sending.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PUSH_UNSENT_GRACE_MS,
  resendUnsentPushes,
} from "../../functions/src/channels/push/backstop.js";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { PUSH_TASKS, pushTaskOf } from "../../functions/src/channels/push/queue.js";
import { backstopContext } from "../support/backstop.js";
import { ring, users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { control } from "../support/control.js";
import { jobsOf, settledPushes, waitPushes } from "../support/pushes.js";
import { dispatched, idsPerQueue } from "../support/queues.js";

/** The param's default: the queues a deploy spreads calls over unless told otherwise. */
const QUEUES = 4;
const ENV = { RINGBACK_PUSH_QUEUES: String(QUEUES), RINGBACK_PUSH_INLINE_BUDGET_MS: "0" };
const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));

beforeAll(() => {
  Object.assign(process.env, ENV);
});

afterAll(async () => {
  await closeAll();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("sharded push queues", () => {
  it("sends each call's ring and cancel by tasks on its shard's queue", async () => {
    const pairs = await Promise.all(
      Array.from({ length: QUEUES }, () => users("caller", "callee")),
    );
    for (const [, b] of pairs) {
      await b.call("registerDevice", {
        device_id: "phone",
        platform: "android",
        fcm_token: `fcm-${b.uid}`,
      });
    }
    const ids = idsPerQueue(
      pairs.map(([a]) => `pq-${a.uid}`),
      PUSH_TASKS,
      pushTaskOf,
    );
    expect(new Set(ids.map(shardOf)).size).toBe(QUEUES);
    await Promise.all(pairs.map(([a, b], q) => ring(a, b, { call_id: ids[q], timeout: 600 })));
    for (const [q, id] of ids.entries()) {
      // Not a timing test: the first task of a queue boots its function's worker.
      const rings = await waitPushes(
        { call_id: id, type: "ring" },
        (g) => g.length >= 1,
        "ring",
        90_000,
      );
      expect(rings.map((p) => [p.uid, p.device_id])).toEqual([[pairs[q]![1].uid, "phone"]]);
      await pairs[q]![0].call("cancelCall", { call_id: id });
    }
    for (const [q, id] of ids.entries()) {
      const cancels = await waitPushes(
        { call_id: id, type: "cancel" },
        (g) => g.length >= 1,
        "cancel",
        90_000,
      );
      expect(cancels.map((p) => [p.uid, p.data.reason])).toEqual([[pairs[q]![1].uid, "canceled"]]);
      await settledPushes(id);
    }
    // Each call's two tasks (its ring's, its cancel's) ran on its shard's queue.
    for (const [q, id] of ids.entries()) {
      const tasks = await dispatched(
        `${id}-push-`,
        () => true,
        (t) => Object.keys(t).length >= 2,
      );
      expect(Object.keys(tasks)).toHaveLength(2);
      expect(new Set(Object.values(tasks))).toEqual(new Set([PUSH_TASKS[q]]));
    }
  }, 300_000);

  it("the sweep's backstop enqueues a lost ring again on its call's queue", async () => {
    const [alice, bob] = await users("caller", "callee");
    await bob.call("registerDevice", {
      device_id: "phone",
      platform: "android",
      fcm_token: `fcm-${bob.uid}`,
    });
    const q = 3; // not queue 0: the backstop must route, not fall back to pushTask
    let n = 0;
    while (pushTaskOf(`pqb-${alice.uid}-${n}`, QUEUES) !== PUSH_TASKS[q]) n++;
    const id = `pqb-${alice.uid}-${n}`;
    const refuse = (count: number) =>
      control("POST", "/tasks/refuse", { queue: PUSH_TASKS[q], count });
    expect((await refuse(1000)).status).toBe(200);
    try {
      await ring(alice, bob, { call_id: id, timeout: 600 });
    } finally {
      expect((await refuse(0)).status).toBe(200);
    }
    const jobs = await jobsOf(id);
    expect(jobs.map((j) => [j.type, j.status])).toEqual([["ring", "pending"]]);
    // The sweep, a grace period later (its clock moved forward instead of waiting 15 s).
    const ctx = backstopContext({ push: true });
    expect(
      await resendUnsentPushes(ctx, { now: Date.now() + PUSH_UNSENT_GRACE_MS + 1000 }),
    ).toBeGreaterThanOrEqual(1);
    await waitPushes({ call_id: id, type: "ring" }, (g) => g.length >= 1, "the swept ring", 90_000);
    const tasks = await dispatched(
      `${id}-push-`,
      () => true,
      (t) => Object.keys(t).length >= 1,
    );
    expect(Object.keys(tasks)).toHaveLength(1);
    expect(Object.values(tasks)).toEqual([PUSH_TASKS[q]]);
  }, 120_000);
});

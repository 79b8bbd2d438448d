/**
 * Push and webhook tasks are spread over queues by call shard, by the rule the deadline tasks
 * follow (channels/queues.ts; deadlineQueues.test.ts): every task of one call lands on one
 * queue, the queues in use are the first RINGBACK_PUSH_QUEUES / RINGBACK_WEBHOOK_QUEUES, and
 * a call's deadline, webhook and push tasks all sit at the same index of their channel's queues.
 */
import { describe, expect, it } from "vitest";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { deadlineTaskOf, DEADLINE_TASKS } from "../../functions/src/channels/deadlines/queue.js";
import { PUSH_QUEUES } from "../../functions/src/channels/push/params.js";
import { PUSH_TASKS, pushTaskOf } from "../../functions/src/channels/push/queue.js";
import { fnOfCall, MAX_QUEUES, queueFns } from "../../functions/src/channels/queues.js";
import { WEBHOOK_QUEUES } from "../../functions/src/channels/webhooks/params.js";
import { WEBHOOK_TASKS, webhookTaskOf } from "../../functions/src/channels/webhooks/queue.js";
import { RANGES, WEBHOOK_QUEUE_CONCURRENCY } from "../../functions/src/params.js";

const ids = Array.from({ length: 4000 }, (_, i) => `call-${i}-${(i * 7919).toString(36)}`);
const CHANNELS = [
  { fn: "webhookTask", fns: WEBHOOK_TASKS, of: webhookTaskOf, param: WEBHOOK_QUEUES },
  { fn: "pushTask", fns: PUSH_TASKS, of: pushTaskOf, param: PUSH_QUEUES },
] as const;
const defaultOf = (p: unknown) => (p as { options: { default: number } }).options.default;

describe("the sharded-queue rule (channels/queues.ts)", () => {
  it("names queue 0 as the task always was, then 1 … 7", () => {
    expect(MAX_QUEUES).toBe(8);
    expect(queueFns("xTask")).toEqual(["xTask", ...[1, 2, 3, 4, 5, 6, 7].map((i) => `xTask${i}`)]);
  });

  it("picks shard % N; N outside 1..8 counts as 1, above 8 as 8", () => {
    const fns = queueFns("xTask");
    for (const id of ids.slice(0, 100)) {
      for (const n of [1, 2, 3, 4, 8]) expect(fnOfCall(fns, id, n)).toBe(fns[shardOf(id) % n]);
      for (const bad of [0, -1, 2.5, NaN]) expect(fnOfCall(fns, id, bad)).toBe("xTask");
      expect(fnOfCall(fns, id, 99)).toBe(fnOfCall(fns, id, 8));
    }
  });
});

describe.each(CHANNELS)("$fn queues", ({ fn, fns, of, param }) => {
  it(`are ${fn}, then ${fn}1 … ${fn}7`, () => {
    expect(fns).toEqual([fn, ...[1, 2, 3, 4, 5, 6, 7].map((i) => `${fn}${i}`)]);
  });

  it("route a call by its shard, to the same index as its deadline tasks", () => {
    for (const id of ids.slice(0, 200)) {
      for (const n of [1, 2, 3, 4, 8]) {
        expect(of(id, n)).toBe(fns[shardOf(id) % n]);
        expect(fns.indexOf(of(id, n))).toBe(DEADLINE_TASKS.indexOf(deadlineTaskOf(id, n)));
      }
      expect(of(id, 1)).toBe(fn);
    }
  });

  it("use only the first N queues, each about as often", () => {
    for (const n of [2, 4, 8]) {
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(of(id, n), (counts.get(of(id, n)) ?? 0) + 1);
      expect([...counts.keys()].sort()).toEqual(fns.slice(0, n).slice().sort());
      for (const c of counts.values()) {
        expect(c).toBeGreaterThan((ids.length / n) * 0.8);
        expect(c).toBeLessThan((ids.length / n) * 1.2);
      }
    }
  });

  it(`read ${param.name} (default 4), range-checked 1 to 8; unset reads 0: one queue`, () => {
    expect(defaultOf(param)).toBe(4);
    expect(RANGES.find(([p]) => p === param)?.slice(1)).toEqual([1, 8]);
    const saved = process.env[param.name];
    try {
      process.env[param.name] = "4";
      expect(new Set(ids.map((id) => of(id)))).toEqual(new Set(fns.slice(0, 4)));
      delete process.env[param.name];
      expect(new Set(ids.map((id) => of(id)))).toEqual(new Set([fn]));
    } finally {
      if (saved === undefined) delete process.env[param.name];
      else process.env[param.name] = saved;
    }
  });
});

describe("the webhook receiver's load", () => {
  it("each webhook queue keeps 25 in flight: at the default 4 queues, the 100 of one queue before", () => {
    expect(defaultOf(WEBHOOK_QUEUE_CONCURRENCY) * defaultOf(WEBHOOK_QUEUES)).toBe(100);
  });
});

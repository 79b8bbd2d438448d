/**
 * Deadline tasks are spread over queues by call shard (channels/deadlines/queue.ts): every
 * task of one call lands on one queue (so its name stays unique there and its cancel finds
 * it), the queues in use are the first RINGBACK_DEADLINE_QUEUES, and calls spread evenly.
 */
import { describe, expect, it } from "vitest";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import {
  DEADLINE_QUEUES,
  MAX_DEADLINE_QUEUES,
} from "../../functions/src/channels/deadlines/params.js";
import { DEADLINE_TASKS, deadlineTaskOf } from "../../functions/src/channels/deadlines/queue.js";
import { RANGES } from "../../functions/src/params.js";

const ids = Array.from({ length: 4000 }, (_, i) => `call-${i}-${(i * 7919).toString(36)}`);

describe("deadline queues", () => {
  it("are deadlineTask, then deadlineTask1 … deadlineTask7", () => {
    expect(MAX_DEADLINE_QUEUES).toBe(8);
    expect(DEADLINE_TASKS).toEqual([
      "deadlineTask",
      "deadlineTask1",
      "deadlineTask2",
      "deadlineTask3",
      "deadlineTask4",
      "deadlineTask5",
      "deadlineTask6",
      "deadlineTask7",
    ]);
  });

  it("routes a call by its shard modulo the queues in use, the same queue every time", () => {
    for (const id of ids.slice(0, 200)) {
      for (const n of [1, 2, 3, 4, 8]) {
        expect(deadlineTaskOf(id, n)).toBe(DEADLINE_TASKS[shardOf(id) % n]);
        expect(deadlineTaskOf(id, n)).toBe(deadlineTaskOf(id, n));
      }
      expect(deadlineTaskOf(id, 1)).toBe("deadlineTask");
    }
  });

  it("uses only the first N queues, each about as often", () => {
    for (const n of [2, 4, 8]) {
      const counts = new Map<string, number>();
      for (const id of ids)
        counts.set(deadlineTaskOf(id, n), (counts.get(deadlineTaskOf(id, n)) ?? 0) + 1);
      expect([...counts.keys()].sort()).toEqual(DEADLINE_TASKS.slice(0, n).slice().sort());
      for (const c of counts.values()) {
        expect(c).toBeGreaterThan((ids.length / n) * 0.8);
        expect(c).toBeLessThan((ids.length / n) * 1.2);
      }
    }
  });

  it("reads RINGBACK_DEADLINE_QUEUES (default 4), range-checked 1 to 8; a value outside counts as 1", () => {
    expect(DEADLINE_QUEUES.name).toBe("RINGBACK_DEADLINE_QUEUES");
    expect((DEADLINE_QUEUES as unknown as { options: { default: number } }).options.default).toBe(
      4,
    );
    const range = RANGES.find(([p]) => p === DEADLINE_QUEUES);
    expect(range?.slice(1)).toEqual([1, 8]);
    const saved = process.env.RINGBACK_DEADLINE_QUEUES;
    try {
      process.env.RINGBACK_DEADLINE_QUEUES = "4";
      const used = new Set(ids.map((id) => deadlineTaskOf(id)));
      expect([...used].sort()).toEqual(DEADLINE_TASKS.slice(0, 4).slice().sort());
      // Outside a functions runtime an unset param reads 0: one queue, the first.
      delete process.env.RINGBACK_DEADLINE_QUEUES;
      expect(new Set(ids.map((id) => deadlineTaskOf(id)))).toEqual(new Set(["deadlineTask"]));
    } finally {
      if (saved === undefined) delete process.env.RINGBACK_DEADLINE_QUEUES;
      else process.env.RINGBACK_DEADLINE_QUEUES = saved;
    }
    for (const bad of [0, -1, 2.5, NaN]) expect(deadlineTaskOf(ids[5]!, bad)).toBe("deadlineTask");
    expect(deadlineTaskOf(ids[5]!, 99)).toBe(deadlineTaskOf(ids[5]!, 8));
  });
});

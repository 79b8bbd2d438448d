/**
 * Deadline tasks spread over queues by call shard (channels/deadlines/queue.ts): calls whose
 * shards pick different queues are each ended on time by a task dispatched on its own queue
 * (`deadlineTask`, `deadlineTask1`, …), as the scheduled-task stand-in records
 * (GET /tasks/dispatched). The sweep ticker is off in the tests, so only the tasks end them.
 */
import { afterAll, describe, expect, it } from "vitest";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { DEADLINE_TASKS, deadlineTaskOf } from "../../functions/src/channels/deadlines/queue.js";
import { callDoc } from "../support/admin.js";
import { users, type Started } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { control } from "../support/control.js";

afterAll(closeAll);

/** The stack's RINGBACK_DEADLINE_QUEUES: its default, 4, unless the run sets it. */
const QUEUES = Number(process.env.RINGBACK_DEADLINE_QUEUES || 4);

describe("sharded deadline queues", () => {
  it("ends calls of different shards by tasks on each shard's queue", async () => {
    expect(QUEUES).toBeGreaterThanOrEqual(2); // one queue would prove nothing here
    const pairs = await Promise.all(
      Array.from({ length: QUEUES }, () => users("caller", "callee")),
    );
    // One call id a queue: the first of the caller's candidates whose shard picks it.
    const ids = pairs.map(([a], q) => {
      for (let i = 0; ; i++) {
        const id = `dq-${a.uid}-${i}`;
        if (deadlineTaskOf(id, QUEUES) === DEADLINE_TASKS[q]) return id;
      }
    });
    expect(new Set(ids.map(shardOf)).size).toBe(QUEUES);
    const started = await Promise.all(
      pairs.map(([a, b], q) =>
        a.call<Started>("startCall", {
          call_id: ids[q],
          callees: [{ id: b.uid }],
          type: 1,
          timeout: 2,
        }),
      ),
    );
    for (const [q, s] of started.entries()) {
      expect((await callDoc(s.call_id)).task_at.toMillis()).toBe(Date.parse(s.deadline_at));
      await pairs[q]![1].waitState((x) => x?.call_id === s.call_id, "ringing");
    }
    for (const [q, s] of started.entries()) {
      await pairs[q]![1].waitState((x) => x?.status === "idle", "idle after the timeout", 15_000);
      expect(await callDoc(s.call_id)).toMatchObject({ state: "ended", end_reason: "no_answer" });
    }
    const ran = await Promise.all(
      started.map(async (s) => {
        const res = await control<{ tasks: Record<string, string> }>(
          "GET",
          `/tasks/dispatched?prefix=${encodeURIComponent(`${s.call_id}-`)}`,
        );
        expect(res.status).toBe(200);
        return res.body.tasks;
      }),
    );
    // Each call's one task ran on its shard's queue, and every queue in use ran one.
    expect(ran).toEqual(
      started.map((s, q) => ({
        [`${s.call_id}-${Date.parse(s.deadline_at)}`]: DEADLINE_TASKS[q],
      })),
    );
  }, 60_000);
});

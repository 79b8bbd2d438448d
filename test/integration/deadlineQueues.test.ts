/**
 * Deadline tasks spread over queues by call shard (channels/deadlines/queue.ts): calls whose
 * shards pick different queues are each ended by a task dispatched on its own queue
 * (`deadlineTask`, `deadlineTask1`, …), as the scheduled-task stand-in records
 * (GET /tasks/dispatched). The sweep ticker is off in the tests, so only the tasks end them.
 * The callables run in this process, so the file routes over the default 4 queues itself (the
 * local stack's functions use one unless told otherwise: scripts/stack.mjs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { DEADLINE_TASKS, deadlineTaskOf } from "../../functions/src/channels/deadlines/queue.js";
import { callDoc } from "../support/admin.js";
import { users, type Started } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { control } from "../support/control.js";

/** The param's default: the queues a deploy spreads calls over unless told otherwise. */
const QUEUES = 4;
const saved = process.env.RINGBACK_DEADLINE_QUEUES;

beforeAll(() => {
  process.env.RINGBACK_DEADLINE_QUEUES = String(QUEUES);
});

afterAll(async () => {
  await closeAll();
  if (saved === undefined) delete process.env.RINGBACK_DEADLINE_QUEUES;
  else process.env.RINGBACK_DEADLINE_QUEUES = saved;
});

describe("sharded deadline queues", () => {
  it("ends calls of different shards by tasks on each shard's queue", async () => {
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
      // Not a timing test: the first task of a queue boots its function's worker.
      await pairs[q]![1].waitState((x) => x?.status === "idle", "idle after the timeout", 60_000);
      expect(await callDoc(s.call_id)).toMatchObject({ state: "ended", end_reason: "no_answer" });
    }
    // Each call's one task ran on its shard's queue, and every queue in use ran one. (A task's
    // answer reaches the stand-in a little after its commit reaches the callee: asked again.)
    const want = started.map((s, q) => ({
      [`${s.call_id}-${Date.parse(s.deadline_at)}`]: DEADLINE_TASKS[q],
    }));
    const dispatched = () =>
      Promise.all(
        started.map(async (s) => {
          const res = await control<{ tasks: Record<string, string> }>(
            "GET",
            `/tasks/dispatched?prefix=${encodeURIComponent(`${s.call_id}-`)}`,
          );
          expect(res.status).toBe(200);
          return res.body.tasks;
        }),
      );
    let ran = await dispatched();
    for (let i = 0; i < 600 && ran.some((t) => Object.keys(t).length === 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      ran = await dispatched();
    }
    expect(ran).toEqual(want);
  }, 180_000);
});

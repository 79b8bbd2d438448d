/**
 * Deadline tasks (docs/protocol.md#deadline-tasks-and-the-sweep): one task per call and
 * moment, named after both, enqueued for that moment on the call's queue (its shard modulo
 * RINGBACK_DEADLINE_QUEUES, queue.ts); cancelled when the call ends first. No
 * outbox: the call itself records its task (`task_at`), and the sweep's query on
 * `next_deadline_at` is the backstop (adapters/calls/sweep.ts).
 */
import type { Timestamp } from "firebase-admin/firestore";
import { collections } from "../../adapters/store/firestore.js";
import { enqueueOnce, queue } from "../../adapters/tasks/enqueue.js";
import type { Carrier } from "../channel.js";
import { deadlineTaskOf } from "./queue.js";

/** The payload of a deadline task. */
export interface DeadlineTask {
  call_id: string;
  at: number;
}

export const taskId = (callId: string, at: number): string => `${callId}-${at}`;

export const carrier: Carrier<"schedule_deadline" | "cancel_deadline"> = {
  async deliver(_db, e) {
    if (e.kind === "schedule_deadline") {
      const { call_id, at } = e;
      return enqueueOnce<DeadlineTask>(
        deadlineTaskOf(call_id),
        { call_id, at },
        { scheduleTime: new Date(at), id: taskId(call_id, at) },
      );
    }
    await queue<DeadlineTask>(deadlineTaskOf(e.call_id)).delete(taskId(e.call_id, e.at)); // gone already: fine
  },
  /**
   * A deadline task that could not be enqueued is taken off the call (`task_at` cleared, if it
   * still names that task), so the next command on the call, or the next sweep, enqueues it
   * again at once. A cancel left undone needs nothing: the task runs and finds nothing due.
   */
  async undelivered(db, e) {
    if (e.kind !== "schedule_deadline") return;
    const ref = collections(db).calls.withConverter(null).doc(e.call_id);
    await db.runTransaction(async (tx) => {
      const taskAt = (await tx.get(ref)).get("task_at") as Timestamp | null | undefined;
      if (taskAt?.toMillis() === e.at) tx.update(ref, { task_at: null });
    });
  },
};

/**
 * Deadline tasks on Cloud Tasks: one task per call and moment, named after both, so that a
 * retried transaction or a second scheduler never enqueues it twice.
 */
import { getFunctions } from "firebase-admin/functions";
import type { EffectHandlers } from "./effects.js";
import { REGION } from "../platform.js";

export const DEADLINE_TASK = "deadlineTask";
const QUEUE = `locations/${REGION}/functions/${DEADLINE_TASK}`;

/** The payload of a deadline task. */
export interface DeadlineTask {
  call_id: string;
  at: number;
}

export const taskId = (callId: string, at: number): string => `${callId}-${at}`;

/**
 * In the local emulator suite, deadline tasks go to the runner's scheduled delivery
 * (scripts/lib/scheduledTasks.mjs): the tasks emulator ignores scheduleTime.
 */
function queue() {
  const local = process.env.RINGBACK_SCHEDULED_TASKS;
  if (process.env.FUNCTIONS_EMULATOR === "true" && local) {
    process.env.CLOUD_TASKS_EMULATOR_HOST = local;
  }
  return getFunctions().taskQueue<DeadlineTask>(QUEUE);
}

/** The post-commit effects that enqueue and cancel deadline tasks. */
export const deadlineTasks: Pick<EffectHandlers, "schedule_deadline" | "cancel_deadline"> = {
  async schedule_deadline({ call_id, at }) {
    try {
      await queue().enqueue(
        { call_id, at },
        { scheduleTime: new Date(at), id: taskId(call_id, at) },
      );
    } catch (e) {
      // The same call and moment is already enqueued: that task will do.
      if ((e as { code?: string }).code === "functions/task-already-exists") return;
      throw e;
    }
  },
  async cancel_deadline({ call_id, at }) {
    await queue().delete(taskId(call_id, at)); // gone already: fine
  },
};

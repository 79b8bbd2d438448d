/**
 * Deadline tasks on Cloud Tasks: one task per call and moment, named after both, so that a
 * retried transaction or a second scheduler never enqueues it twice.
 */
import { getFunctions } from "firebase-admin/functions";
import type { Scheduler } from "./calls.js";
import { firestore } from "./firestore.js";

export const DEADLINE_TASK = "deadlineTask";
const QUEUE = `locations/us-central1/functions/${DEADLINE_TASK}`;

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
function useLocalScheduledDelivery(): void {
  const local = process.env.RINGBACK_SCHEDULED_TASKS;
  if (process.env.FUNCTIONS_EMULATOR === "true" && local) {
    process.env.CLOUD_TASKS_EMULATOR_HOST = local;
  }
}

export function cloudTasksScheduler(): Scheduler {
  return {
    async schedule(callId, at) {
      firestore(); // initialises the default admin app
      useLocalScheduledDelivery();
      const payload: DeadlineTask = { call_id: callId, at };
      try {
        await getFunctions()
          .taskQueue(QUEUE)
          .enqueue(payload, { scheduleTime: new Date(at), id: taskId(callId, at) });
      } catch (e) {
        // The same call and moment is already enqueued: that task will do.
        if ((e as { code?: string }).code === "functions/task-already-exists") return;
        throw e;
      }
    },
    async cancel(callId, at) {
      firestore();
      useLocalScheduledDelivery();
      await getFunctions().taskQueue(QUEUE).delete(taskId(callId, at)); // gone already: fine
    },
  };
}

/**
 * The task queues' enqueue side: deadline tasks (one per call and moment, named after both,
 * so a retried transaction or a second scheduler never enqueues it twice) and webhook
 * deliveries (one per callback event, named after it).
 */
import { getFunctions } from "firebase-admin/functions";
import type { EffectHandlers } from "./effects.js";
import { REGION } from "../platform.js";

export const DEADLINE_TASK = "deadlineTask";
export const WEBHOOK_TASK = "webhookTask";

/** The payload of a deadline task. */
export interface DeadlineTask {
  call_id: string;
  at: number;
}

/** The payload of a webhook delivery task. */
export interface WebhookTask {
  event_id: string;
}

export const taskId = (callId: string, at: number): string => `${callId}-${at}`;

/**
 * In the local emulator suite, tasks go to the runner's scheduled delivery
 * (scripts/lib/scheduledTasks.mjs): the tasks emulator ignores scheduleTime and retry configs.
 */
function queue<T extends object>(fn: string) {
  const local = process.env.RINGBACK_SCHEDULED_TASKS;
  if (process.env.FUNCTIONS_EMULATOR === "true" && local) {
    process.env.CLOUD_TASKS_EMULATOR_HOST = local;
  }
  return getFunctions().taskQueue<T>(`locations/${REGION}/functions/${fn}`);
}

/** Enqueues a task named `id`; one of that name already enqueued will do. */
export async function enqueueOnce<T extends object>(
  fn: string,
  payload: T,
  opts: { id: string; scheduleTime?: Date },
): Promise<void> {
  try {
    await queue<T>(fn).enqueue(payload, opts);
  } catch (e) {
    if ((e as { code?: string }).code === "functions/task-already-exists") return;
    throw e;
  }
}

/** The post-commit effects that enqueue and cancel tasks. */
export const taskEffects: EffectHandlers = {
  schedule_deadline: ({ call_id, at }) =>
    enqueueOnce<DeadlineTask>(
      DEADLINE_TASK,
      { call_id, at },
      { scheduleTime: new Date(at), id: taskId(call_id, at) },
    ),
  cancel_deadline: async ({ call_id, at }) => {
    await queue<DeadlineTask>(DEADLINE_TASK).delete(taskId(call_id, at)); // gone already: fine
  },
  callback: ({ event_id }) =>
    enqueueOnce<WebhookTask>(WEBHOOK_TASK, { event_id }, { id: event_id }),
};

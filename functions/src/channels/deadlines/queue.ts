/** The deadline tasks' queues, kept light: index.ts defines the functions with them at load. */
import type { TaskQueueOptions } from "firebase-functions/v2/tasks";
import { DEADLINE_QUEUE_CONCURRENCY, DEADLINE_QUEUE_RATE } from "../../params.js";
import { fnOfCall, queueFns } from "../queues.js";
import { DEADLINE_QUEUES } from "./params.js";

export const DEADLINE_TASK = "deadlineTask";

/**
 * The deadline task functions, one per queue: `deadlineTask` (queue 0, the name it has always
 * had, so tasks queued before an upgrade still run), then `deadlineTask1` … `deadlineTask7`.
 */
export const DEADLINE_TASKS: readonly string[] = queueFns(DEADLINE_TASK);

/**
 * The task function (and so the queue) of a call's deadline tasks: its shard modulo
 * RINGBACK_DEADLINE_QUEUES (channels/queues.ts), so a task name (`<call_id>-<at>`) is unique
 * within its queue and its cancel finds it there.
 */
export const deadlineTaskOf = (callId: string, queues = DEADLINE_QUEUES.value()): string =>
  fnOfCall(DEADLINE_TASKS, callId, queues);

/** Deadline tasks: retried for about ten minutes; each queue's limits are params (SCALE.md). */
export const deadlineQueue: TaskQueueOptions = {
  retryConfig: { maxAttempts: 10, minBackoffSeconds: 1, maxBackoffSeconds: 60 },
  rateLimits: {
    maxDispatchesPerSecond: DEADLINE_QUEUE_RATE,
    maxConcurrentDispatches: DEADLINE_QUEUE_CONCURRENCY,
  },
};

/** How far ahead a deadline must be for its task to be enqueued before the commit lands (transaction.ts). */
export const EARLY_ENQUEUE_MIN_LEAD_MS = 3000;

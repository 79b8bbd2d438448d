/** The push tasks' queues, kept light: index.ts defines the functions with them at load. */
import type { TaskQueueOptions } from "firebase-functions/v2/tasks";
import { APNS_KEY, PUSH_QUEUE_CONCURRENCY, PUSH_QUEUE_RATE } from "../../params.js";
import { fnOfCall, queueFns } from "../queues.js";
import { PUSH_QUEUES } from "./params.js";

export const PUSH_TASK = "pushTask";

/** The push task functions, one a queue: `pushTask` (queue 0), then `pushTask1` … `pushTask7`. */
export const PUSH_TASKS: readonly string[] = queueFns(PUSH_TASK);

/**
 * The task function of a call's push tasks: its shard modulo RINGBACK_PUSH_QUEUES
 * (channels/queues.ts). A change's jobs are all of one call, so its task has one queue, and
 * the backstop's re-enqueue of a job lands on that same queue.
 */
export const pushTaskOf = (callId: string, queues = PUSH_QUEUES.value()): string =>
  fnOfCall(PUSH_TASKS, callId, queues);

/**
 * Push tasks: retried 1, 2, 4, 8 s later (never past the ring deadline, delivery.ts). The
 * rate and concurrency hold for each queue.
 */
export const pushQueue: TaskQueueOptions = {
  retryConfig: { maxAttempts: 8, minBackoffSeconds: 1, maxBackoffSeconds: 8, maxDoublings: 3 },
  rateLimits: {
    maxDispatchesPerSecond: PUSH_QUEUE_RATE,
    maxConcurrentDispatches: PUSH_QUEUE_CONCURRENCY,
  },
  secrets: [APNS_KEY],
};

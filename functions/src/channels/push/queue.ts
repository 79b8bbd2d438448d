/** The push tasks' queue, kept light: index.ts defines the function with it at load. */
import type { TaskQueueOptions } from "firebase-functions/v2/tasks";
import { APNS_KEY, PUSH_QUEUE_CONCURRENCY, PUSH_QUEUE_RATE } from "../../params.js";

export const PUSH_TASK = "pushTask";

/** Push tasks: retried 1, 2, 4, 8 s later (never past the ring deadline, delivery.ts). */
export const pushQueue: TaskQueueOptions = {
  retryConfig: { maxAttempts: 8, minBackoffSeconds: 1, maxBackoffSeconds: 8, maxDoublings: 3 },
  rateLimits: {
    maxDispatchesPerSecond: PUSH_QUEUE_RATE,
    maxConcurrentDispatches: PUSH_QUEUE_CONCURRENCY,
  },
  secrets: [APNS_KEY],
};

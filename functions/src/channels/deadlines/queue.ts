/** The deadline tasks' queue, kept light: index.ts defines the function with it at load. */
import type { TaskQueueOptions } from "firebase-functions/v2/tasks";
import { DEADLINE_QUEUE_CONCURRENCY, DEADLINE_QUEUE_RATE } from "../../params.js";

export const DEADLINE_TASK = "deadlineTask";

/** Deadline tasks: retried for about ten minutes; the queue's limits are params (SCALE.md). */
export const deadlineQueue: TaskQueueOptions = {
  retryConfig: { maxAttempts: 10, minBackoffSeconds: 1, maxBackoffSeconds: 60 },
  rateLimits: {
    maxDispatchesPerSecond: DEADLINE_QUEUE_RATE,
    maxConcurrentDispatches: DEADLINE_QUEUE_CONCURRENCY,
  },
};

/** How far ahead a deadline must be for its task to be enqueued before the commit lands (transaction.ts). */
export const EARLY_ENQUEUE_MIN_LEAD_MS = 3000;

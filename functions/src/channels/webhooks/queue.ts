/** The webhook deliveries' queue, kept light: index.ts defines the function with it at load. */
import type { TaskQueueOptions } from "firebase-functions/v2/tasks";
import {
  WEBHOOK_QUEUE_CONCURRENCY,
  WEBHOOK_QUEUE_RATE,
  WEBHOOK_SECRET,
  WEBHOOK_SECRET_PREVIOUS,
} from "../../params.js";

export const WEBHOOK_TASK = "webhookTask";

/** Seed 002's schedule: 6 attempts, retried 2, 4, 8, 16 and 32 s after the one before. */
export const WEBHOOK_MAX_ATTEMPTS = 6;

/** Webhook deliveries of callback events: the protocol's retries; the queue's limits are params. */
export const webhookQueue: TaskQueueOptions = {
  retryConfig: {
    maxAttempts: WEBHOOK_MAX_ATTEMPTS,
    minBackoffSeconds: 2,
    maxBackoffSeconds: 32,
    maxDoublings: 4,
  },
  rateLimits: {
    maxDispatchesPerSecond: WEBHOOK_QUEUE_RATE,
    maxConcurrentDispatches: WEBHOOK_QUEUE_CONCURRENCY,
  },
  secrets: [WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS],
};

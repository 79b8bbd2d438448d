/** The webhook deliveries' queues, kept light: index.ts defines the functions with them at load. */
import type { TaskQueueOptions } from "firebase-functions/v2/tasks";
import {
  WEBHOOK_QUEUE_CONCURRENCY,
  WEBHOOK_QUEUE_RATE,
  WEBHOOK_SECRET,
  WEBHOOK_SECRET_PREVIOUS,
} from "../../params.js";
import { fnOfCall, queueFns } from "../queues.js";
import { WEBHOOK_QUEUES } from "./params.js";

export const WEBHOOK_TASK = "webhookTask";

/** The webhook task functions, one a queue: `webhookTask` (queue 0), then `webhookTask1` … `webhookTask7`. */
export const WEBHOOK_TASKS: readonly string[] = queueFns(WEBHOOK_TASK);

/**
 * The task function of a call's callback deliveries: its shard modulo RINGBACK_WEBHOOK_QUEUES
 * (channels/queues.ts), so an event's task (named after it) and the backstop's re-enqueue of
 * it meet on one queue. Each queue's concurrency is RINGBACK_WEBHOOK_QUEUE_CONCURRENCY: the
 * receiver bears N times it.
 */
export const webhookTaskOf = (callId: string, queues = WEBHOOK_QUEUES.value()): string =>
  fnOfCall(WEBHOOK_TASKS, callId, queues);

/** Seed 002's schedule: 6 attempts, retried 2, 4, 8, 16 and 32 s after the one before. */
export const WEBHOOK_MAX_ATTEMPTS = 6;

/** Webhook deliveries of callback events: the protocol's retries; each queue's limits are params. */
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

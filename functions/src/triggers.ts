/**
 * The triggers' own options (queues, schedule, the HTTP door), kept apart from the handlers so that
 * index.ts can define every function without loading any handler (cold start: each
 * handler loads on its function's first request).
 */
import type { HttpsOptions } from "firebase-functions/v2/https";
import type { ScheduleOptions } from "firebase-functions/v2/scheduler";
import type { TaskQueueOptions } from "firebase-functions/v2/tasks";
import {
  APNS_KEY,
  DEADLINE_QUEUE_CONCURRENCY,
  DEADLINE_QUEUE_RATE,
  PUSH_QUEUE_CONCURRENCY,
  PUSH_QUEUE_RATE,
  WEBHOOK_QUEUE_CONCURRENCY,
  WEBHOOK_QUEUE_RATE,
  WEBHOOK_SECRET,
  WEBHOOK_SECRET_PREVIOUS,
} from "./params.js";

/**
 * startCall and inviteToCall sign the policy hook's requests with the webhook secrets
 * (adapters/calls/policy.ts); the HTTP door runs them too.
 */
export const policySecrets = { secrets: [WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS] };

/** Deadline tasks: retried for about ten minutes; the queue's limits are params (SCALE.md). */
export const deadlineQueue: TaskQueueOptions = {
  retryConfig: { maxAttempts: 10, minBackoffSeconds: 1, maxBackoffSeconds: 60 },
  rateLimits: {
    maxDispatchesPerSecond: DEADLINE_QUEUE_RATE,
    maxConcurrentDispatches: DEADLINE_QUEUE_CONCURRENCY,
  },
};

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

/** The backstop sweep: every minute, within a minute. */
export const sweepSchedule: ScheduleOptions = { schedule: "every 1 minutes", timeoutSeconds: 60 };

/** Push tasks: retried 1, 2, 4, 8 s later (never past the ring deadline, adapters/push/delivery.ts). */
export const pushQueue: TaskQueueOptions = {
  retryConfig: { maxAttempts: 8, minBackoffSeconds: 1, maxBackoffSeconds: 8, maxDoublings: 3 },
  rateLimits: {
    maxDispatchesPerSecond: PUSH_QUEUE_RATE,
    maxConcurrentDispatches: PUSH_QUEUE_CONCURRENCY,
  },
  secrets: [APNS_KEY],
};

/**
 * callApi, the HTTP door: streams are mostly idle, so one instance holds many; the timeout
 * stays above RINGBACK_STREAM_SECONDS (at most 3540).
 */
export const httpDoorOptions: HttpsOptions = {
  invoker: "public",
  cpu: 1,
  concurrency: 200,
  timeoutSeconds: 3600,
  ...policySecrets,
};

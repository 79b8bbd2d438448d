/**
 * The triggers' own options (schedule, the HTTP door; each channel's queue is in its folder), kept apart from the handlers so that
 * index.ts can define every function without loading any handler (cold start: each
 * handler loads on its function's first request).
 */
import type { HttpsOptions } from "firebase-functions/v2/https";
import type { ScheduleOptions } from "firebase-functions/v2/scheduler";
import { APNS_KEY, WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS } from "./params.js";

/**
 * startCall and inviteToCall sign the policy hook's requests with the webhook secrets
 * (adapters/calls/policy.ts), and ring from the request itself, VoIP included, with the APNs
 * key (channels/push/inline.ts); the HTTP door runs them too.
 */
export const policySecrets = { secrets: [WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS, APNS_KEY] };

/** The backstop sweep: every minute, within a minute. */
export const sweepSchedule: ScheduleOptions = { schedule: "every 1 minutes", timeoutSeconds: 60 };

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

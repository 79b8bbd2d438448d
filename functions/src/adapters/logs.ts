/** Named log events: one function per thing worth telling an operator, so each reads the same. */
import * as logger from "firebase-functions/logger";
import type { Effect } from "../core/effects.js";

/**
 * What a callable answered: `ok`, or the refusal's code, reason and `refusal` (the message the
 * client got; `message` is the log line's own).
 */
export type CommandResult =
  { ok: true } | { ok: false; code: string; reason: string; refusal: string };

/** The configuration errors this instance has logged already. */
const configLogged = new Set<string>();

export const logs = {
  /** One per callable request (`npm start` prints it as one line). */
  command: (command: string, by: string, callId: string | undefined, result: CommandResult) =>
    logger.info(`${command}: ${result.ok ? "ok" : `${result.code} ${result.reason}`}`, {
      event: "command",
      command,
      by,
      ...(callId ? { call_id: callId } : {}),
      ...result,
    }),
  /** The notifications one transaction committed (`npm start` prints them as one line). */
  notified: (notices: { call_id: string; to: string; path: string }[]) =>
    logger.info(`notified ${notices.length}`, { event: "notified", notices }),
  transactionLost: (attempt: number) =>
    logger.warn("transaction lost by the database; running it again", { attempt }),
  effectFailed: (effect: Effect, error: unknown, channel?: string) =>
    logger.warn("post-commit effect failed; the sweep backstops it", {
      ...effect,
      channel,
      error: String(error),
    }),
  /** The policy hook gave no usable answer in time: the fail mode decided (calls/policy.ts). */
  policyFailed: (why: string, fail: string) =>
    logger.warn(`policy hook failed (${why}); failing ${fail}`, {
      event: "policy_failed",
      why,
      fail,
    }),
  databaseUnavailable: (error: unknown) => logger.warn("database unavailable", error),
  unexpected: (error: unknown) => logger.error("unexpected error", error),
  /** A document of Ringback's own that does not parse (written by hand, or by another version). */
  unreadableDocument: (e: { path: string; message: string }) =>
    logger.error("unreadable document", {
      event: "unreadable_document",
      path: e.path,
      error: e.message,
    }),
  sweep: (counts: {
    examined: number;
    changed: number;
    failed: number;
    /** Rows each channel's backstop took up again, by channel (channels/index.ts). */
    resent: Record<string, number>;
  }) => logger.info("sweepTimeouts", counts),
  sweepFailed: (callId: string, error: unknown) =>
    logger.error("sweepTimeouts: a call failed to settle; backed off", {
      call_id: callId,
      error: String(error),
    }),
  webhooksOff: (eventId: string) =>
    logger.warn("webhookTask: webhooks are off (no RINGBACK_WEBHOOK_URL); event left pending", {
      event_id: eventId,
    }),
  webhookGaveUp: (eventId: string, attempts: number) =>
    logger.warn("webhook given up; kept as failed for re-driving", { event_id: eventId, attempts }),
  voipOff: (missing: string[]) =>
    logger.warn("VoIP pushes are off: iOS devices ring through FCM only", {
      missing,
      fix: "set the params RINGBACK_APNS_BUNDLE_ID, RINGBACK_APNS_KEY_ID, RINGBACK_APNS_TEAM_ID and the secret RINGBACK_APNS_KEY",
    }),
  /** A push service says our setup is wrong: once per instance and code, with the fix. */
  pushConfigError: (channel: string, code: string, fix: string) => {
    const key = `${channel} ${code}`;
    if (configLogged.has(key)) return;
    configLogged.add(key);
    logger.error(`push: configuration error from ${channel} (${code}); no token pruned`, {
      event: "push_config_error",
      channel,
      code,
      fix,
    });
  },
  /** A push given up for good, or a token dropped: one event each, with the reason. */
  pushOutcome: (
    event: "push_failed" | "push_pruned",
    f: { job_id: string; uid: string; device_id: string; channel: string; code: string },
  ) =>
    logger.warn(event === "push_pruned" ? "push: token pruned" : "push: given up", {
      event,
      ...f,
    }),
  /** Every message of a batch came back "unregistered" with one code: suspicious, so kept. */
  pruneWithheld: (jobId: string, channel: string, code: string, count: number) =>
    logger.error("push: every token of a batch came back unregistered alike; pruned none", {
      event: "push_prune_withheld",
      job_id: jobId,
      channel,
      code,
      count,
      fix: "if this repeats, check the push credentials and the app's Firebase project",
    }),
  apnsKeyBad: (error: string) =>
    !configLogged.has("apns-key") &&
    configLogged.add("apns-key") &&
    logger.error("VoIP pushes are off: RINGBACK_APNS_KEY does not parse; FCM goes on", {
      event: "apns_key_bad",
      error,
      fix: "set the secret RINGBACK_APNS_KEY to the .p8 file's full PEM text (BEGIN/END PRIVATE KEY lines and real line breaks)",
    }),
  pushSelfCheck: (result: { ok: boolean; detail: string; code?: string; fix?: string }) =>
    (result.ok ? logger.info : logger.error)(`push self-check: ${result.detail}`, {
      event: "push_self_check",
      ...result,
    }),
  pushRetry: (jobIds: string[], n: number) =>
    logger.info("pushTask: jobs to be tried again", { job_ids: jobIds, attempt: n }),
  malformedTask: (data: unknown) => logger.error("task: malformed payload, dropped", { data }),
  /** Only when the bench's stack asks for timings (timings.ts): one deadline task's phases. */
  benchDeadlineTask: (fields: Record<string, unknown>) =>
    logger.info("bench: deadlineTask timings", fields),
};

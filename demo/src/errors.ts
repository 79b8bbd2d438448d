/**
 * A short sentence for every refusal the server or the SDK can give (docs/protocol.md#errors):
 * a toast never shows a raw server message.
 */
const SENTENCES: Record<string, string> = {
  unauthenticated: "You are signed out. Sign in again.",
  app_check: "This app could not prove it is genuine. Reload the page.",
  invalid_argument: "That request was not valid.",
  impersonation: "You can only act as yourself.",
  caller_mismatch: "That call was started by someone else.",
  not_in_call: "You are no longer in that call.",
  call_not_found: "That call no longer exists.",
  user_not_found: "Nobody by that name can be called.",
  busy: "You are already in a call.",
  call_ended: "That call has already ended.",
  already_answered: "That call was already answered.",
  not_invited: "You were not invited to that call.",
  not_inviter: "Only the caller can cancel the call.",
  not_accepted: "You are not in that call.",
  mode_common: "People can only be added to a group call.",
  call_full: "The call is full.",
  already_in_call: "They are already in this call.",
  answered_elsewhere: "Answered on another device.",
  call_exists: "That call already exists.",
  rate_limited: "Too many calls in a short time. Try again in a minute.",
  contention: "The server was busy. Try again.",
  aborted: "The server was busy. Try again.",
  unavailable: "The server cannot be reached. Try again.",
  deadline_exceeded: "The server took too long to answer. Try again.",
  resource_exhausted: "Too many requests. Try again shortly.",
  permission_denied: "You are not allowed to do that.",
  failed_precondition: "That cannot be done now.",
  not_found: "That call no longer exists.",
  internal: "Something went wrong on the server.",
  unreadable_document: "Something went wrong on the server.",
};

/** The reasons the table names (test/unit/demoErrors.test.ts holds it to docs/protocol.md). */
export const KNOWN_REASONS = Object.keys(SENTENCES);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * The sentence for what a command threw: a RingbackError (its `reason`) or a raw callable
 * error (`details.reason`, else its code). Pure, so that a unit test can hold every reason.
 */
export function sentenceFor(err: unknown): string {
  const e = isRecord(err) ? err : {};
  const details = isRecord(e.details) ? e.details : {};
  const code = typeof e.code === "string" ? e.code.replace(/^functions\//, "") : "";
  const reason =
    typeof e.reason === "string"
      ? e.reason
      : typeof details.reason === "string"
        ? details.reason
        : code.replace(/-/g, "_");
  const retry = Number(details.retry_after_ms);
  if (reason === "rate_limited" && retry > 0) {
    return `Too many calls in a short time. Try again in ${Math.ceil(retry / 1000)} s.`;
  }
  return SENTENCES[reason] ?? SENTENCES[code.replace(/-/g, "_")] ?? "That did not work. Try again.";
}

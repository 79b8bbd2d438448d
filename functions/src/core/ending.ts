/**
 * When and why a call ends (docs/protocol.md#call-states-and-end-reasons): the call-level
 * rules applied after any user moved, and one table from what settled the call to the end
 * reason it records.
 */
import type { Draft } from "./draft.js";
import { isPending, type EndReason } from "./types.js";

/** What made the call end: the last event that settled it. */
export type Cause =
  | "accepted"
  | "declined"
  /** Declined, and every invitee who declined was busy. */
  | "declined_busy"
  | "canceled"
  | "no_answer"
  | "heartbeat_timeout"
  | "caller_offline"
  /** An accepted user quit and another accepted user remains. */
  | "quit"
  /** The last accepted user quit. */
  | "all_quit"
  /** endCall by an accepted user. */
  | "hang_up";

/** The end reason of each cause, by the phase the call was in. */
export const END_REASONS: Readonly<Record<Cause, { ringing: EndReason; ongoing: EndReason }>> = {
  accepted: { ringing: "canceled", ongoing: "completed" },
  declined: { ringing: "declined", ongoing: "completed" },
  declined_busy: { ringing: "busy", ongoing: "completed" },
  canceled: { ringing: "canceled", ongoing: "completed" },
  no_answer: { ringing: "no_answer", ongoing: "completed" },
  heartbeat_timeout: { ringing: "canceled", ongoing: "heartbeat_timeout" },
  caller_offline: { ringing: "caller_offline", ongoing: "caller_offline" },
  quit: { ringing: "all_quit", ongoing: "completed" },
  all_quit: { ringing: "all_quit", ongoing: "all_quit" },
  hang_up: { ringing: "canceled", ongoing: "completed" },
};

export function endReason(d: Draft, cause: Cause): EndReason {
  if (d.call.state !== "ringing") return END_REASONS[refine(d, cause)].ongoing;
  const reason = END_REASONS[refine(d, cause)].ringing;
  return OUTCOMES.includes(reason) ? outcome(d) : reason;
}

/** The end reasons that tell what the invitees of a call nobody accepted did. */
const OUTCOMES: readonly EndReason[] = ["canceled", "declined", "busy", "no_answer"];

/**
 * What the invitees of a call nobody accepted did (docs/protocol.md#call-outcomes), in either
 * mode, however the call came to end (the last answer, a timeout, or the caller's endCall):
 * `canceled` when the caller withdrew while someone still rang (someone rings now, or the
 * caller canceled someone); else `busy` when everyone who answered was busy, `declined` when
 * someone who answered declined, `no_answer` when nobody answered.
 */
export function outcome(d: Draft): EndReason {
  const invitees = d.invitees();
  if (invitees.some((u) => isPending(u.state) || u.state === "canceled")) return "canceled";
  const rejected = invitees.filter((u) => u.state === "rejected");
  if (rejected.length > 0) return rejected.every((u) => u.decline_type === 2) ? "busy" : "declined";
  return invitees.some((u) => u.state === "timeout") ? "no_answer" : "canceled";
}

/** Narrows a cause by what the call holds now (who declined, who is still accepted). */
function refine(d: Draft, cause: Cause): Cause {
  if (cause === "declined") {
    const rejected = d.inState((s) => s === "rejected");
    if (rejected.length > 0 && rejected.every((u) => u.decline_type === 2)) return "declined_busy";
  }
  if (cause === "quit" && d.active().length === 0) return "all_quit";
  return cause;
}

/**
 * Ends the call for `cause`: everyone still ringing is canceled, everyone accepted quits.
 * When the server ends an ongoing call (no `by`: a timeout or an answer left it over), every
 * accepted user still in it is told the call ended, `id` "" (docs/protocol.md#notifications).
 */
export function endFor(
  d: Draft,
  cause: Cause,
  opts: { by?: string; tellPending?: boolean; at?: number } = {},
): void {
  if (d.call.state === "ongoing" && opts.by === undefined) {
    for (const to of d.active()) d.notify(to, "/call/notify_call_end", { id: "" });
  }
  d.close(endReason(d, cause), {
    tellPending: opts.tellPending ?? true,
    ...(opts.by !== undefined ? { by: opts.by } : {}),
    ...(opts.at !== undefined ? { at: opts.at } : {}),
  });
}

/**
 * Applies the call-level rules after any user moved. A common call ends while ringing when no
 * invitee is left to answer and none accepted, and once ongoing when at most one accepted
 * user and no pending invitee remain. An advanced call, ringing or ongoing, ends only when
 * no accepted user remains: the inviter alone may still invite others
 * (docs/protocol.md#call-states-and-end-reasons).
 */
export function settle(d: Draft, cause: Cause, at?: number): void {
  const c = d.call;
  if (c.state === "ended") return;
  const pending = d.inState(isPending).length;
  const accepted = d.active();
  const inviteeAccepted = accepted.some((id) => id !== d.inviterId);
  const opts = at !== undefined ? { at } : {};
  if (c.state === "ringing") {
    if (inviteeAccepted) {
      c.state = "ongoing";
      c.connected_at = d.now; // the first accept (docs/protocol.md#one-device-answers)
      d.changed = true;
    } else if (accepted.length === 0 || (c.mode === "common" && pending === 0)) {
      endFor(d, cause, opts);
    }
    return;
  }
  const over = c.mode === "common" ? accepted.length <= 1 && pending === 0 : accepted.length === 0;
  if (over) endFor(d, cause, opts);
}

/**
 * The inviter logged out of their last device while the call rings: the invitation is
 * canceled, as when they go silent (`caller_offline`). False when there is nothing to cancel.
 */
export function callerLoggedOut(d: Draft, uid: string): boolean {
  if (d.call.state !== "ringing" || uid !== d.inviterId) return false;
  if (d.user(uid).state !== "accepted") return false;
  endFor(d, "caller_offline");
  return true;
}

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
  return END_REASONS[refine(d, cause)][d.call.state === "ringing" ? "ringing" : "ongoing"];
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

/** Ends the call for `cause`: everyone still ringing is canceled, everyone accepted quits. */
export function endFor(
  d: Draft,
  cause: Cause,
  opts: { by?: string; tellPending?: boolean; at?: number } = {},
): void {
  d.close(endReason(d, cause), {
    tellPending: opts.tellPending ?? true,
    ...(opts.by !== undefined ? { by: opts.by } : {}),
    ...(opts.at !== undefined ? { at: opts.at } : {}),
  });
}

/**
 * Applies the call-level rules after any user moved. While ringing, both modes end when no
 * invitee is left to answer and none accepted (advanced mode answers invitations as common
 * mode does), and when no accepted user is left. Once ongoing, a common call ends when at
 * most one accepted user and no pending invitee remain, an advanced call when no accepted
 * user remains.
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
      d.changed = true;
    } else if (pending === 0 || accepted.length === 0) {
      endFor(d, cause, opts);
    }
    return;
  }
  const over = c.mode === "common" ? accepted.length <= 1 && pending === 0 : accepted.length === 0;
  if (over) endFor(d, cause, opts);
}

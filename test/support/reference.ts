/**
 * The tests' own reading of the protocol's tables, written from docs/protocol.md and not from
 * the code: which user state may follow which (#transitions), the live status a call gives
 * each of its users (#user-status), the user doc that status implies (#user-document), and
 * the earliest pending deadline (#timeouts). The invariant checker and the fixtures use these
 * instead of the implementation's functions, so a bug there cannot hide itself. Only names
 * and types come from the code.
 */
import type { Call, UserDoc, UserState, UserStatus } from "../../functions/src/core/types.js";

export const STATES: readonly UserState[] = [
  "inviting",
  "received",
  "not_yet_received",
  "accepted",
  "rejected",
  "canceled",
  "timeout",
  "quit",
];

/** The states an invitee may still answer from. */
export const RINGING: readonly UserState[] = ["inviting", "received", "not_yet_received"];
export const ringing = (s: UserState): boolean => RINGING.includes(s);

/** docs/protocol.md#transitions, row by row. */
const MOVES: Record<UserState, readonly UserState[]> = {
  inviting: ["received", "not_yet_received", "accepted", "rejected", "canceled", "timeout"],
  not_yet_received: ["received", "accepted", "rejected", "canceled", "timeout"],
  received: ["accepted", "rejected", "canceled", "timeout"],
  accepted: ["quit"],
  rejected: ["accepted"],
  canceled: ["accepted"],
  timeout: ["accepted"],
  quit: ["accepted"],
};

/** Whether `to` can follow `from` in one move. */
export const mayMove = (from: UserState, to: UserState): boolean => MOVES[from].includes(to);

/** docs/protocol.md#user-status: what a user's live status is, given one call. */
export function statusOf(call: Call, uid: string): UserStatus {
  const u = call.users[uid];
  if (!u || call.state === "ended") return "idle";
  if (ringing(u.state)) return "ringing";
  if (u.state !== "accepted") return "idle";
  return call.state === "ringing" ? "calling" : "in_call";
}

/** docs/protocol.md#user-document: the `users/{uid}` doc a call that keeps the user busy implies. */
export function userDocOf(call: Call, uid: string, now: number): UserDoc {
  const status = statusOf(call, uid);
  const u = call.users[uid];
  return {
    status,
    call_id: status === "idle" ? null : call.call_id,
    incoming:
      status === "ringing" && u?.deadline_at !== undefined
        ? {
            call_id: call.call_id,
            caller: call.caller,
            type: call.type,
            deadline_at: u.deadline_at,
            extended_data: call.extended_data,
          }
        : null,
    device_id: null,
    updated_at: now,
  };
}

/**
 * docs/protocol.md#timeouts: the earliest moment something falls due in a live call: a
 * ringing invitee's `deadline_at`, an `inviting` invitee's `receipt_deadline_at`, an accepted
 * user's `heartbeat_at` plus the heartbeat timeout. `null` when ended or nothing is pending.
 */
export function earliestDeadline(call: Call, heartbeatTimeoutMs: number): number | null {
  if (call.state === "ended") return null;
  const times: number[] = [];
  for (const u of Object.values(call.users)) {
    if (ringing(u.state) && u.deadline_at !== undefined) times.push(u.deadline_at);
    if (u.state === "inviting" && u.receipt_deadline_at !== undefined) {
      times.push(u.receipt_deadline_at);
    }
    if (u.state === "accepted" && u.heartbeat_at !== undefined) {
      times.push(u.heartbeat_at + heartbeatTimeoutMs);
    }
  }
  return times.length ? Math.min(...times) : null;
}

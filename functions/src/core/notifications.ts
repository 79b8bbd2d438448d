/**
 * The catalogue of notifications: every path a user can be told on, with the body each
 * carries (docs/protocol.md#notifications). The core writes them through Draft.notify, which
 * is typed by this table; the docs and the tests take their vocabulary from it.
 */
import type { CallMode, CallType, DeclineType, UserRef, UserState } from "./types.js";

export interface NotificationBodies {
  /** To each new invitee. `inviter` when an accepted user other than the caller invited. */
  "/call/notify_call_invited": {
    call_id: string;
    caller: UserRef;
    callees: UserRef[];
    type: CallType;
    mode: CallMode;
    timeout: number;
    deadline_at: string;
    extended_data: string;
    inviter?: UserRef;
  };
  /** To each canceled invitee. */
  "/call/notify_call_canceled": { call_id: string; caller_id: string };
  /** To the inviter and the other accepted users. */
  "/call/notify_call_accept": { call_id: string; callee_id: string; extended_data: string };
  /** To the inviter and the other accepted users; `type` 1 declined, 2 busy. */
  "/call/notify_call_decline": {
    call_id: string;
    callee_id: string;
    type: DeclineType;
    extended_data: string;
  };
  /** To everyone else still in the call or ringing; `id` ended it. */
  "/call/notify_call_end": { call_id: string; id: string };
  /** To the remaining participants; `id` stopped heartbeating. */
  "/call/notify_timeout": { call_id: string; id: string };
  /** To the invitee who did not answer in time. */
  "/call/notify_invitation_timeout": { call_id: string };
  /** To the inviter and the other accepted users: these invitees did not answer. */
  "/call/notify_invitees_answered_timeout": { call_id: string; invitees: string[] };
  /** To the state-change audience (docs/protocol.md#state-change-audience). */
  "/call/notify_user_state_changed": {
    call_id: string;
    users: { id: string; state: UserState; extended_data: string }[];
  };
}

export type NotificationPath = keyof NotificationBodies;

/** Every path, in the order the docs list them. */
export const NOTIFICATION_PATHS = [
  "/call/notify_call_invited",
  "/call/notify_call_canceled",
  "/call/notify_call_accept",
  "/call/notify_call_decline",
  "/call/notify_call_end",
  "/call/notify_timeout",
  "/call/notify_invitation_timeout",
  "/call/notify_invitees_answered_timeout",
  "/call/notify_user_state_changed",
] as const satisfies readonly NotificationPath[];

// A path missing from the list above fails to compile here.
type Missing = Exclude<NotificationPath, (typeof NOTIFICATION_PATHS)[number]>;
const _complete: [Missing] extends [never] ? true : Missing = true;
void _complete;

/** One notification to one user: a path and the body that path carries. */
export type Notice = {
  [P in NotificationPath]: { to: string; path: P; body: NotificationBodies[P] };
}[NotificationPath];

/** A body without the `call_id` that Draft.notify adds. */
export type BodyOf<P extends NotificationPath> = Omit<NotificationBodies[P], "call_id">;

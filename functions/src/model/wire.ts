/**
 * What travels between the server and its clients (docs/protocol.md): the notification
 * catalogue, the commands' answers and the error codes. Plain types, imports from domain.ts
 * only, so the client SDK's build takes this file as it is (client/sync-model.mjs).
 */
import type { Callee, CallMode, CallState, CallType, DeclineType, EndReason } from "./domain.js";
import type { StartResult, UserRef, UserState } from "./domain.js";

// ---- requests (what a client sends; model/commands.ts's schemas are checked against these) --

/** startCall's input, as sent. */
export interface StartCallRequest {
  call_id?: string;
  caller?: Callee;
  callees: Callee[];
  type: CallType;
  mode?: CallMode;
  /** Invitation timeout in seconds, 1..600 (default 60, or the deployment's). */
  timeout?: number;
  extended_data?: string;
  push?: { title?: string; content?: string; payload?: string };
  not_received_check?: boolean;
  /** The caller's device: its active device in this call. */
  device_id?: string;
}

/** cancelCall's input: every pending invitee, one (`callee_id`) or some (`callee_ids`). */
export interface CancelCallRequest {
  call_id: string;
  id?: string;
  callee_id?: string;
  callee_ids?: string[];
}

/** acceptCall's input. */
export interface AcceptCallRequest {
  call_id: string;
  id?: string;
  extended_data?: string;
  device_id?: string;
}

/** listCalls' input. */
export interface ListCallsRequest {
  /** 1 or more, default 20; more than the page limit (default 100) is cut to it. */
  count?: number;
  /** The previous page's `next_flag`. */
  next_flag?: string;
}

/** registerDevice's input. */
export interface RegisterDeviceRequest {
  id?: string;
  device_id: string;
  platform: "ios" | "android" | "web";
  fcm_token?: string;
  voip_token?: string;
  /** iOS: the APNs environment of the build that made the VoIP token (sandbox: development). */
  apns_env?: "sandbox" | "production";
}

// ---- notifications (users/{uid}/notifications/{id}: path and body) -----------------------

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

// ---- answers ----------------------------------------------------------------------------

/** startCall's answer. */
export type StartCallResult = StartResult;

/** What every command on an existing call answers. */
export interface CommandResult {
  call_id: string;
  state: CallState;
  end_reason: EndReason | null;
  user_state: UserState;
}

/** inviteToCall's own fields of its answer (the core's part). */
export interface Invited {
  /** Callees rung now. */
  invited: string[];
  /** Callees found busy and declined with type 2. */
  busy: string[];
  /** Callees already in this call, left as they are. */
  already: string[];
}

/** inviteToCall's answer. */
export interface InviteResult extends CommandResult, Invited {
  error_invitees: StartResult["error_invitees"];
}

/** One call of listCalls' page: what a listed call shows of itself. */
export interface ListedCall {
  call_id: string;
  caller: UserRef;
  type: CallType;
  mode: CallMode;
  state: CallState;
  end_reason: EndReason | null;
  /** The listing user's own state in the call. */
  user_state: UserState | null;
  timeout: number;
  extended_data: string;
  created_at: string | null;
  deadline_at: string | null;
  /** When the first invitee accepted; null if nobody did. */
  connected_at: string | null;
  ended_at: string | null;
  /** Whole seconds from connected_at to ended_at (to now while it lasts); 0 if never connected. */
  duration: number;
  users: {
    id: string;
    name: string;
    state: UserState | null;
    decline_type?: DeclineType;
    extended_data: string;
  }[];
}

/** listCalls' answer. */
export interface ListResult {
  calls: ListedCall[];
  /** "" on the last page. */
  next_flag: string;
}

/** registerDevice's and unregisterDevice's answer. */
export interface DeviceResult {
  device_id: string;
  devices: number;
}

// ---- errors ----------------------------------------------------------------------------

/** The HttpsError codes a client can get from Ringback (details.reason says why). */
export const ERROR_CODES = [
  "unauthenticated",
  "invalid-argument",
  "permission-denied",
  "not-found",
  "failed-precondition",
  "already-exists",
  "resource-exhausted",
  "aborted",
  "unavailable",
  "deadline-exceeded",
  "internal",
  "data-loss",
  "unknown",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

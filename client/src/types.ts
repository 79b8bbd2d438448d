/**
 * The protocol as a client sees it (PROTOCOL.md): command inputs and answers on the wire
 * (snake_case, ISO dates), and the SDK's own views of the documents (Dates, arrays).
 */

/** A user's state in a call (seed 003). */
export type CallUserState =
  | "inviting"
  | "received"
  | "not_yet_received"
  | "accepted"
  | "rejected"
  | "canceled"
  | "timeout"
  | "quit";

export type CallState = "ringing" | "ongoing" | "ended";
export type EndReason =
  | "completed"
  | "canceled"
  | "declined"
  | "busy"
  | "no_answer"
  | "heartbeat_timeout"
  | "caller_offline"
  | "all_quit";
export type CallMode = "common" | "advanced";
/** 1 voice, 2 video. */
export type CallType = 1 | 2;
/** 1 declined by the user, 2 busy. */
export type DeclineType = 1 | 2;
/** `users/{uid}.status`: what the user is doing. */
export type UserStatus = "idle" | "calling" | "ringing" | "in_call";

export interface UserRef {
  id: string;
  name: string;
}
export interface Callee {
  id: string;
  name?: string;
}

// ---- command inputs (besides what the SDK fills in: the device id) -----------------------

export interface StartCallInput {
  callees: Callee[];
  type: CallType;
  call_id?: string;
  caller?: Callee;
  mode?: CallMode;
  /** Invitation timeout in seconds, 1..600 (default 60). */
  timeout?: number;
  extended_data?: string;
  push?: { title?: string; content?: string; payload?: string };
  not_received_check?: boolean;
}
export interface ExtendedDataInput {
  extended_data?: string;
}
export interface CancelInput {
  callee_id?: string;
  callee_ids?: string[];
}
export interface DeclineInput extends ExtendedDataInput {
  /** Decline as busy (type 2) rather than declined (type 1). */
  busy?: boolean;
}
export interface ListInput {
  /** 1..100, default 20. */
  count?: number;
  /** The previous page's `next_flag`. */
  next_flag?: string;
}
export interface DeviceInput {
  platform: "ios" | "android" | "web";
  fcm_token?: string;
  voip_token?: string;
  /** iOS: the APNs environment of the build that made the VoIP token (sandbox: development). */
  apns_env?: "sandbox" | "production";
}

// ---- answers --------------------------------------------------------------------------

export interface StartCallResult {
  call_id: string;
  timeout: number;
  deadline_at: string;
  error_invitees: { id: string; reason: string }[];
}
export interface CommandResult {
  call_id: string;
  state: CallState;
  end_reason: EndReason | null;
  user_state: CallUserState;
}
export interface InviteResult extends CommandResult {
  invited: string[];
  busy: string[];
  already: string[];
  error_invitees: { id: string; reason: string }[];
}
export interface ListedCall {
  call_id: string;
  caller: UserRef;
  type: CallType;
  mode: CallMode;
  state: CallState;
  end_reason: EndReason | null;
  /** The listing user's own state in the call. */
  user_state: CallUserState | null;
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
    state: CallUserState | null;
    decline_type?: DeclineType;
    extended_data: string;
  }[];
}
export interface ListResult {
  calls: ListedCall[];
  /** "" on the last page. */
  next_flag: string;
}
export interface DeviceResult {
  device_id: string;
  devices: number;
}

// ---- document views -------------------------------------------------------------------

/** A ringing invitation, from `users/{uid}.incoming`. */
export interface Invitation {
  callId: string;
  caller: UserRef;
  type: CallType;
  deadlineAt: Date | null;
  extendedData: string;
}

/** `users/{uid}`; a user without the doc is idle. */
export interface UserDocView {
  status: UserStatus;
  callId: string | null;
  incoming: Invitation | null;
  deviceId: string | null;
}

export interface CallUserView {
  id: string;
  name: string;
  state: CallUserState;
  declineType: DeclineType | null;
  extendedData: string;
  /** When this user's state last changed (e.g. when they accepted). */
  updatedAt: Date | null;
}

/** `calls/{call_id}`, with users in the order of `user_ids` (the inviter first). */
export interface CallView {
  id: string;
  caller: UserRef;
  type: CallType;
  mode: CallMode;
  state: CallState;
  endReason: EndReason | null;
  /** Who ended it by a command (null when a timeout or the answers ended it). */
  endedBy: string | null;
  users: CallUserView[];
  extendedData: string;
  /** Invitation timeout, seconds. */
  timeout: number;
  /** How often the inviter and accepted users heartbeat, seconds. */
  heartbeatInterval: number;
  notReceivedCheck: boolean;
  createdAt: Date | null;
  deadlineAt: Date | null;
  endedAt: Date | null;
  /** When the first invitee accepted (the server's connected_at), else null. */
  connectedAt: Date | null;
}

/** Who left a call that now holds only you, and why (docs/protocol.md#call-outcomes). */
export interface Alone {
  callId: string;
  left: { id: string; name: string; reason: "quit" | "timeout" }[];
}

/** A notification doc as read: `users/{uid}/notifications/{id}`. */
export interface NotificationDoc {
  id: string;
  path: string;
  body: Record<string, unknown>;
  call_id: string;
  seq: number;
  /** Epoch ms (server time). */
  created_at: number;
}

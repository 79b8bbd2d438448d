/**
 * Ringback's domain types, declared once for the server and the client SDK
 * (docs/protocol.md): plain TypeScript with no imports at all, so the client's build can
 * take this file as it is (client/sync-model.mjs) and needs neither zod nor Firebase. The zod
 * schemas of model/documents.ts and model/commands.ts are checked against these types.
 * Times are epoch milliseconds; stored, they are Timestamps (the converters turn them).
 */

/** The schema's ceiling for callees in one command; RINGBACK_MAX_INVITEES may not exceed it. */
export const MAX_INVITEES_CEILING = 50;

/** A user's state in a call (docs/protocol.md#user-states). */
export const USER_STATES = [
  "inviting",
  "received",
  "not_yet_received",
  "accepted",
  "rejected",
  "canceled",
  "timeout",
  "quit",
] as const;
export type UserState = (typeof USER_STATES)[number];

export const CALL_STATES = ["ringing", "ongoing", "ended"] as const;
export type CallState = (typeof CALL_STATES)[number];

/** Why a call ended (docs/protocol.md#call-outcomes). */
export const END_REASONS = [
  "completed",
  "canceled",
  "declined",
  "busy",
  "no_answer",
  "heartbeat_timeout",
  "caller_offline",
  "all_quit",
] as const;
export type EndReason = (typeof END_REASONS)[number];

export const CALL_MODES = ["common", "advanced"] as const;
export type CallMode = (typeof CALL_MODES)[number];

/** `users/{uid}.status`: what the user is doing. */
export const USER_STATUSES = ["idle", "calling", "ringing", "in_call"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** 1 voice, 2 video. */
export type CallType = 1 | 2;
/** 1 declined by the user, 2 busy. */
export type DeclineType = 1 | 2;

export interface UserRef {
  id: string;
  name: string;
}

/** A callee as a command names them (the name is optional). */
export interface Callee {
  id: string;
  name?: string;
}

export interface CallUser {
  id: string;
  name: string;
  state: UserState;
  decline_type?: DeclineType;
  extended_data?: string;
  device_id?: string;
  /** Last heartbeat; set for the inviter and accepted users. */
  heartbeat_at?: number;
  /** Who invited this invitee with inviteToCall (absent for startCall's callees). */
  invited_by?: string;
  /** When this invitee's invitation times out; set for invitees. */
  deadline_at?: number;
  /**
   * With not_received_check: when an invitee still Inviting (no ackCall from any device)
   * becomes NotYetReceived.
   */
  receipt_deadline_at?: number;
  /** Invited with no registered device (logged out); they still ring. */
  logged_out?: boolean;
  /**
   * Not delivered (docs/protocol.md#who-may-ring-whom): they blocked the inviter or a ring
   * limit held. Server-only: the call keeps them as a silent invitee who never answers; they
   * get nothing, are never busy and cannot find the call.
   */
  undelivered?: boolean;
  updated_at: number;
}

export interface PushConfig {
  title: string;
  content: string;
  payload: string;
}

/** startCall's answer (also stored, so a repeated start answers the same). */
export interface StartResult {
  call_id: string;
  timeout: number;
  deadline_at: string;
  error_invitees: { id: string; reason: "user_not_found" }[];
}

/** A call as the server knows it: `calls/{call_id}` with its private part merged in. */
export interface Call {
  call_id: string;
  caller: UserRef;
  type: CallType;
  mode: CallMode;
  state: CallState;
  end_reason?: EndReason;
  /** Who ended the call by a command (absent when a timeout or the answers ended it). */
  ended_by?: string;
  users: Record<string, CallUser>;
  user_ids: string[];
  extended_data: string;
  /** Invitation timeout, seconds. */
  timeout: number;
  /** How often the inviter and accepted users should call heartbeat, seconds. */
  heartbeat_interval: number;
  created_at: number;
  deadline_at: number;
  /** When the first invitee accepted (the call became ongoing); absent if none ever did. */
  connected_at?: number;
  ended_at?: number;
  /** The earliest pending deadline of any kind, null once ended: what the sweep queries. */
  next_deadline_at: number | null;
  /**
   * When the one pending deadline task of this call runs (Cloud Tasks), or null: a new task
   * is scheduled only when a deadline falls before it, or it has run; never per heartbeat.
   */
  task_at?: number | null;
  /** Bumped on every change that notifies anyone; makes event ids stable. */
  version: number;
  updated_at: number;
  not_received_check: boolean;
  push?: PushConfig;
  /** How often the sweep failed to settle this call (its backoff); kept by every write. */
  sweep_failures?: number;
  /**
   * Idempotency of startCall: hash of the first request and its answer (kept in the call's
   * private part; a call read without it, as listCalls reads, has neither).
   */
  start_request_hash?: string;
  start_result?: StartResult;
}

/** `users/{uid}.incoming`: the invitation ringing now. */
export interface Incoming {
  call_id: string;
  caller: UserRef;
  type: CallType;
  deadline_at: number;
  extended_data: string;
}

/** `users/{uid}`: Ringback's five fields of the user's live state. */
export interface UserDoc {
  status: UserStatus;
  call_id: string | null;
  incoming: Incoming | null;
  device_id: string | null;
  updated_at: number;
}

/** A user of `calls/{call_id}` as stored: what is server-only lives in the private part. */
export type SharedCallUser = Omit<CallUser, "undelivered">;

/**
 * `calls/{call_id}` as every participant reads it: the call without its private part
 * (start_*, and each user's device, logged_out, undelivered and extended_data).
 */
export type SharedCall = Omit<Call, "start_request_hash" | "start_result" | "users"> & {
  users: Record<string, SharedCallUser>;
};

/**
 * `calls/{call_id}/private/server`: what only the server reads of a call, out of the
 * participants' reach (docs/protocol.md#who-may-read-what): each user's device, whether they
 * were logged out or not delivered to, their extended_data, and the first start's request
 * hash and answer.
 */
export interface CallPrivate {
  start_request_hash?: string;
  start_result?: StartResult;
  users: Record<
    string,
    { device_id?: string; logged_out?: boolean; undelivered?: boolean; extended_data?: string }
  >;
  /**
   * Every user in order when some invitee is undelivered: the shared `user_ids` (who may read
   * the call and find it in listCalls) leaves those out (docs/protocol.md#who-may-ring-whom).
   */
  all_user_ids?: string[];
}

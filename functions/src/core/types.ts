/**
 * Domain types of the pure core. Times are epoch milliseconds here; the Firestore
 * converters turn them into Timestamps and back. Field names and meanings: docs/protocol.md.
 */

import { USER_STATES } from "../model/documents.js";

export { USER_STATES };
export type UserState = (typeof USER_STATES)[number];

/** Invitee states that still wait for an answer (docs/protocol.md#user-states). */
export const PENDING_STATES: readonly UserState[] = ["inviting", "received", "not_yet_received"];
export const isPending = (s: UserState): boolean => PENDING_STATES.includes(s);

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

export interface UserRef {
  id: string;
  name: string;
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

export interface StartResult {
  call_id: string;
  timeout: number;
  deadline_at: string;
  error_invitees: { id: string; reason: "user_not_found" }[];
}

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
  /** Idempotency of startCall: hash of the first request and its answer. */
  start_request_hash: string;
  start_result: StartResult;
}

export type UserStatus = "idle" | "calling" | "ringing" | "in_call";

export interface Incoming {
  call_id: string;
  caller: UserRef;
  type: CallType;
  deadline_at: number;
  extended_data: string;
}

/** `users/{uid}`: the user's live state. */
export interface UserDoc {
  status: UserStatus;
  call_id: string | null;
  incoming: Incoming | null;
  device_id: string | null;
  updated_at: number;
}

export interface CoreConfig {
  /** Invitation timeout when startCall gives none, seconds (default DEFAULT_TIMEOUT_S). */
  defaultTimeoutS?: number;
  /** How often participants should heartbeat; stamped on each new call for its clients. */
  heartbeatIntervalS: number;
  /** A participant whose last heartbeat is older than this is timed out. */
  heartbeatTimeoutMs: number;
  /** At most this many users in one call, the inviter included (default MAX_CALL_USERS). */
  maxCallUsers?: number;
  /** With not_received_check, an invitee with no ack this long is NotYetReceived (default 5 s). */
  notReceivedMs?: number;
  /** At most this many callees in one startCall or inviteToCall (default MAX_INVITEES). */
  maxInvitees?: number;
  /** listCalls pages hold at most this many calls (default LIST_PAGE_LIMIT). */
  listPageLimit?: number;
  /** Abuse limit on startCall per user (none when absent). */
  startLimit?: { perMinute: number; burst: number };
  /** Invitations delivered a minute to one callee and per pair (off when absent or 0). */
  ringLimits?: { calleePerMinute: number; pairPerMinute: number };
}

/** The not-received check fires this long after the invitation (docs/protocol.md#timeouts). */
export const NOT_RECEIVED_MS = 5000;

/** At most 10 users in a call, the inviter included (docs/protocol.md#limits-and-defaults). */
export const MAX_CALL_USERS = 10;

/** At most 9 callees in one startCall or inviteToCall (docs/protocol.md#limits-and-defaults). */
export const MAX_INVITEES = 9;

/** listCalls pages hold at most 100 calls (docs/protocol.md#limits-and-defaults). */
export const LIST_PAGE_LIMIT = 100;

/** The invitation timeout when neither the request nor the config gives one, seconds. */
export const DEFAULT_TIMEOUT_S = 60;

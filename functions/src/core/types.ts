/**
 * The pure core's types: the domain types are the model's (model/domain.ts, declared once for
 * the server and the client SDK); the core's own configuration and limits are here.
 */
import type { UserState } from "../model/domain.js";

export * from "../model/domain.js";

/** Invitee states that still wait for an answer (docs/protocol.md#user-states). */
export const PENDING_STATES: readonly UserState[] = ["inviting", "received", "not_yet_received"];
export const isPending = (s: UserState): boolean => PENDING_STATES.includes(s);

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

/**
 * The reference model's state and vocabulary (test/support/referenceModel.ts): the test
 * stack's limits, the model's users, calls, user docs and notes, the commands it reads and
 * the answers it predicts, and the statuses a call gives its users.
 */
import type {
  CallMode,
  CallState,
  DeclineType,
  EndReason,
  UserState,
  UserStatus,
} from "../../functions/src/core/types.js";
import type { BlockCommand } from "./referenceBlocks.js";
import { HEARTBEAT } from "./heartbeat.js";

/** The params of the test stack (functions/.env.*): docs/protocol.md#limits-and-defaults. */
export const LIMITS = {
  heartbeatTimeoutMs: HEARTBEAT.timeoutMs,
  notReceivedMs: 5_000,
  maxCallUsers: 10,
  startBurst: 10,
};

export interface MUser {
  id: string;
  state: UserState;
  decline_type?: DeclineType;
  deadline_at?: number;
  receipt_deadline_at?: number;
  heartbeat_at?: number;
  invited_by?: string;
  /** Declined as busy when invited (what a repeated inviteToCall reports). */
  busy_at_invite?: boolean;
}

export interface MCall {
  call_id: string;
  caller: string;
  mode: CallMode;
  /** Invitation timeout, seconds. */
  timeout: number;
  not_received_check: boolean;
  state: CallState;
  end_reason?: EndReason;
  ended_by?: string;
  ended_at?: number;
  users: Record<string, MUser>;
  /** Every user in order, undelivered invitees included (referenceBlocks.ts). */
  user_ids: string[];
  /** Invitees left undelivered (they blocked their inviter): referenceBlocks.ts. */
  undelivered?: string[];
}

export interface MDoc {
  status: UserStatus;
  call_id: string | null;
}

export interface MState {
  calls: Record<string, MCall>;
  /** users/{uid}; a missing entry is idle. */
  docs: Record<string, MDoc>;
  /** Notifications written, canonical key (see `noteKey`) -> count. */
  notes: Record<string, number>;
  /** startCall tokens taken per user (docs/protocol.md#limits-and-defaults, rate limit). */
  starts: Record<string, number>;
  /** Each user's block list, sorted (referenceBlocks.ts); absent when nobody blocks anyone. */
  blocked?: Record<string, string[]>;
}

export const emptyState = (): MState => ({ calls: {}, docs: {}, notes: {}, starts: {} });

export type Simple =
  | "acceptCall"
  | "declineCall"
  | "cancelCall"
  | "endCall"
  | "heartbeat"
  | "joinCall"
  | "quitCall"
  | "ackCall";

export type Command =
  | {
      name: "startCall";
      actor: string;
      callees: string[];
      mode: CallMode;
      timeout: number;
      check: boolean;
      /** The id the server gave the call (from its answer); the model cannot make one up. */
      call_id: string;
    }
  | { name: "inviteToCall"; actor: string; call_id: string; callees: string[] }
  | { name: Simple; actor: string; call_id: string; type?: DeclineType }
  | BlockCommand;

/** An answer, as the model predicts it and as the harness records the server's. */
export type Answer =
  | {
      ok: true;
      call_id: string;
      /** The call result (absent for startCall, whose answer has none). */
      state?: CallState;
      end_reason?: EndReason | null;
      user_state?: UserState;
      /** inviteToCall's lists, sorted. */
      invited?: string[];
      busy?: string[];
      already?: string[];
    }
  | { ok: false; code: string; reason: string };

export const RINGING: readonly UserState[] = ["inviting", "received", "not_yet_received"];
export const isRinging = (s: UserState): boolean => RINGING.includes(s);

/** docs/protocol.md#user-status. */
export function statusIn(call: MCall, uid: string): UserStatus {
  const u = call.users[uid];
  if (!u || call.state === "ended") return "idle";
  if (isRinging(u.state)) return "ringing";
  if (u.state !== "accepted") return "idle";
  return call.state === "ringing" ? "calling" : "in_call";
}

/** Whether `uid` is busy: their doc points at a live call where they ring or are accepted. */
export function busyIn(s: MState, uid: string): MCall | undefined {
  const d = s.docs[uid];
  if (!d || d.status === "idle" || !d.call_id) return undefined;
  const c = s.calls[d.call_id];
  return c && statusIn(c, uid) !== "idle" ? c : undefined;
}

/**
 * The SDK's typed events, and how each of the nine notification bodies becomes one. Pure:
 * no firebase import, so it is tested with plain objects.
 */
import type { RingbackError } from "./errors.js";
import type {
  CallMode,
  CallType,
  CallUserState,
  DeclineType,
  EndReason,
  NotificationDoc,
  NotificationPath,
  UserRef,
} from "./types.js";
import type { RingbackState } from "./state.js";

interface Base {
  callId: string;
  /** The notification's id (stable: the same event always has the same id). */
  eventId: string;
}

/** You are invited (notify_call_invited). */
export interface IncomingEvent extends Base {
  caller: UserRef;
  callees: UserRef[];
  /** In advanced mode, who invited you when it was not the caller. */
  inviter: UserRef | null;
  type: CallType;
  mode: CallMode;
  timeout: number;
  deadlineAt: Date | null;
  extendedData: string;
}
/** Your invitation was canceled (notify_call_canceled). */
export interface CanceledEvent extends Base {
  callerId: string;
}
/** Someone accepted (notify_call_accept). */
export interface AcceptedEvent extends Base {
  userId: string;
  extendedData: string;
}
/** Someone declined, or was busy (notify_call_decline). */
export interface DeclinedEvent extends Base {
  userId: string;
  busy: boolean;
  type: DeclineType;
  extendedData: string;
}
/** The call ended (notify_call_end); `reason` read from the call. */
export interface EndedEvent extends Base {
  /** Who ended it. */
  by: string;
  reason: EndReason | null;
}
/** A participant stopped heartbeating and was timed out (notify_timeout). */
export interface PeerTimeoutEvent extends Base {
  userId: string;
}
/** Your invitation timed out unanswered: a missed call (notify_invitation_timeout). */
export type InvitationTimeoutEvent = Base;
/** Invitees did not answer in time (notify_invitees_answered_timeout). */
export interface InviteesAnsweredTimeoutEvent extends Base {
  userIds: string[];
}
/** Users' states in the call changed (notify_user_state_changed). */
export interface UserStateChangedEvent extends Base {
  users: { id: string; state: CallUserState; extendedData: string }[];
}
/** Something the SDK did in the background failed; it keeps going (retries, next beat). */
export interface BackgroundError {
  /** What failed: a snapshot listener (then resubscribed with backoff), a heartbeat, an ack,
   * registering the device, or leaving the call at sign-out. */
  source: "listener" | "heartbeat" | "ack" | "register" | "signOut";
  error: RingbackError | Error;
  /** For a listener: milliseconds until the SDK subscribes again. */
  retryInMs?: number;
}

/** Your call was answered on (or moved to) another of your devices. */
export interface AnsweredElsewhereEvent {
  callId: string;
  /** The device that holds the call now. */
  deviceId: string;
}

export interface RingbackEvents {
  answeredElsewhere: AnsweredElsewhereEvent;
  incoming: IncomingEvent;
  canceled: CanceledEvent;
  accepted: AcceptedEvent;
  declined: DeclinedEvent;
  ended: EndedEvent;
  peerTimeout: PeerTimeoutEvent;
  invitationTimeout: InvitationTimeoutEvent;
  inviteesAnsweredTimeout: InviteesAnsweredTimeoutEvent;
  userStateChanged: UserStateChangedEvent;
  /** Every notification as stored, once each, in order (also the unknown ones). */
  notification: NotificationDoc;
  state: RingbackState;
  error: BackgroundError;
}

/** The notification events, by their protocol path. */
export const PATHS = {
  "/call/notify_call_invited": "incoming",
  "/call/notify_call_canceled": "canceled",
  "/call/notify_call_accept": "accepted",
  "/call/notify_call_decline": "declined",
  "/call/notify_call_end": "ended",
  "/call/notify_timeout": "peerTimeout",
  "/call/notify_invitation_timeout": "invitationTimeout",
  "/call/notify_invitees_answered_timeout": "inviteesAnsweredTimeout",
  "/call/notify_user_state_changed": "userStateChanged",
} as const satisfies Record<NotificationPath, string>; // every path of the model's catalogue
export type NotificationEventName = (typeof PATHS)[keyof typeof PATHS];

export type ParsedEvent = {
  [K in NotificationEventName]: { name: K; event: RingbackEvents[K] };
}[NotificationEventName];

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const date = (v: unknown): Date | null => (typeof v === "string" ? new Date(v) : null);
const ref = (v: unknown): UserRef => {
  const r = (v ?? {}) as Record<string, unknown>;
  return { id: str(r.id), name: str(r.name) };
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The typed event of a notification, or null for a path this SDK does not know. */
export function parseNotification(
  n: NotificationDoc,
  endReason?: EndReason | null,
): ParsedEvent | null {
  const b = n.body;
  const base = { callId: n.call_id, eventId: n.id };
  switch (n.path) {
    case "/call/notify_call_invited":
      return {
        name: "incoming",
        event: {
          ...base,
          caller: ref(b.caller),
          callees: list(b.callees).map(ref),
          inviter: b.inviter ? ref(b.inviter) : null,
          type: b.type === 1 ? 1 : 2,
          mode: b.mode === "advanced" ? "advanced" : "common",
          timeout: typeof b.timeout === "number" ? b.timeout : 0,
          deadlineAt: date(b.deadline_at),
          extendedData: str(b.extended_data),
        },
      };
    case "/call/notify_call_canceled":
      return { name: "canceled", event: { ...base, callerId: str(b.caller_id) } };
    case "/call/notify_call_accept":
      return {
        name: "accepted",
        event: { ...base, userId: str(b.callee_id), extendedData: str(b.extended_data) },
      };
    case "/call/notify_call_decline": {
      const type: DeclineType = b.type === 2 ? 2 : 1;
      return {
        name: "declined",
        event: {
          ...base,
          userId: str(b.callee_id),
          type,
          busy: type === 2,
          extendedData: str(b.extended_data),
        },
      };
    }
    case "/call/notify_call_end":
      return { name: "ended", event: { ...base, by: str(b.id), reason: endReason ?? null } };
    case "/call/notify_timeout":
      return { name: "peerTimeout", event: { ...base, userId: str(b.id) } };
    case "/call/notify_invitation_timeout":
      return { name: "invitationTimeout", event: base };
    case "/call/notify_invitees_answered_timeout":
      return {
        name: "inviteesAnsweredTimeout",
        event: { ...base, userIds: list(b.invitees).map(str) },
      };
    case "/call/notify_user_state_changed":
      return {
        name: "userStateChanged",
        event: {
          ...base,
          users: list(b.users).map((u) => {
            const r = (u ?? {}) as Record<string, unknown>;
            return {
              id: str(r.id),
              state: str(r.state) as CallUserState,
              extendedData: str(r.extended_data),
            };
          }),
        },
      };
    default:
      return null;
  }
}

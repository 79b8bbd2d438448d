/**
 * The state a UI renders: derived from `users/{uid}` and the call doc, never from replaying
 * events. Also reads raw document data into the SDK's views. Pure: a Firestore Timestamp is
 * anything with `toDate()`.
 */
import type {
  Alone,
  CallType,
  CallUserState,
  CallUserView,
  CallView,
  Invitation,
  UserDocView,
  UserRef,
  UserStatus,
} from "./types.js";

export interface RingbackState {
  /** The signed-in user, or null when signed out. */
  uid: string | null;
  /** True once the first snapshots arrived (and again after a resubscription): trust the rest. */
  live: boolean;
  /** False while Firestore serves from its cache only (offline). */
  online: boolean;
  /** idle / calling (you ring others) / ringing (you are invited) / in_call. */
  status: UserStatus;
  /** The current call's id (calling, ringing or in call), else null. */
  callId: string | null;
  /** The current call, once its doc is read (null for a moment after the status changes). */
  call: CallView | null;
  /** While ringing: the invitation. */
  incoming: Invitation | null;
  /** The last call this session saw finish for you (to show "no answer", "busy", ...). */
  lastCall: CallView | null;
  /** The device your current call is on (users/{uid}.device_id), null if none is named. */
  activeDeviceId: string | null;
  /** False when your call was answered (or is held) on another of your devices. */
  isThisDevice: boolean;
  /** Set while you are the only one left in your ongoing call: who left and why. */
  alone: Alone | null;
}

export const SIGNED_OUT: RingbackState = {
  uid: null,
  live: false,
  online: true,
  status: "idle",
  callId: null,
  call: null,
  incoming: null,
  lastCall: null,
  activeDeviceId: null,
  isThisDevice: true,
  alone: null,
};

type Raw = Record<string, unknown>;
const isRaw = (v: unknown): v is Raw => typeof v === "object" && v !== null;
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const strOrNull = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** A Firestore Timestamp, ISO string or epoch ms as a Date (null when absent). */
export function toDate(v: unknown): Date | null {
  if (isRaw(v) && typeof v.toDate === "function") return (v.toDate as () => Date)();
  if (typeof v === "string" || typeof v === "number") return new Date(v);
  return null;
}
export const toMillis = (v: unknown): number => toDate(v)?.getTime() ?? 0;

const userRef = (v: unknown): UserRef =>
  isRaw(v) ? { id: str(v.id), name: str(v.name) } : { id: "", name: "" };
const callType = (v: unknown): CallType => (v === 1 ? 1 : 2);

/** `users/{uid}` data (undefined: no doc, i.e. idle). */
export function readUserDoc(d: Raw | undefined): UserDocView {
  if (!d) return { status: "idle", callId: null, incoming: null, deviceId: null };
  const inc = isRaw(d.incoming) ? d.incoming : null;
  return {
    status: (["calling", "ringing", "in_call"] as const).find((s) => s === d.status) ?? "idle",
    callId: strOrNull(d.call_id),
    incoming: inc && {
      callId: str(inc.call_id),
      caller: userRef(inc.caller),
      type: callType(inc.type),
      deadlineAt: toDate(inc.deadline_at),
      extendedData: str(inc.extended_data),
    },
    deviceId: strOrNull(d.device_id),
  };
}

/** `calls/{call_id}` data. */
export function readCallDoc(id: string, d: Raw): CallView {
  const rawUsers = isRaw(d.users) ? d.users : {};
  // `user_ids` (who may read the call) first, then anyone else the call names: an invitee the
  // server did not deliver to is shown like any other (docs/protocol.md#who-may-ring-whom).
  const listed = Array.isArray(d.user_ids) ? d.user_ids.map(str) : [];
  const ids = [...listed, ...Object.keys(rawUsers).filter((uid) => !listed.includes(uid))];
  const users: CallUserView[] = ids.flatMap((uid) => {
    const u = rawUsers[uid];
    if (!isRaw(u)) return [];
    return [
      {
        id: uid,
        name: str(u.name),
        state: str(u.state) as CallUserState,
        declineType: u.decline_type === 1 || u.decline_type === 2 ? u.decline_type : null,
        extendedData: str(u.extended_data),
        updatedAt: toDate(u.updated_at),
      },
    ];
  });
  const caller = userRef(d.caller);
  const accepts = users
    .filter((u) => u.id !== caller.id && u.state === "accepted" && u.updatedAt)
    .map((u) => (u.updatedAt as Date).getTime());
  return {
    id,
    caller,
    type: callType(d.type),
    mode: d.mode === "advanced" ? "advanced" : "common",
    state: d.state === "ongoing" || d.state === "ended" ? d.state : "ringing",
    endReason: (strOrNull(d.end_reason) as CallView["endReason"]) ?? null,
    endedBy: strOrNull(d.ended_by),
    users,
    extendedData: str(d.extended_data),
    timeout: typeof d.timeout === "number" ? d.timeout : 0,
    heartbeatInterval: typeof d.heartbeat_interval === "number" ? d.heartbeat_interval : 20,
    notReceivedCheck: d.not_received_check === true,
    createdAt: toDate(d.created_at),
    deadlineAt: toDate(d.deadline_at),
    endedAt: toDate(d.ended_at),
    // The server's connected_at; calls written before it existed fall back on the accepts.
    connectedAt:
      toDate(d.connected_at) ?? (accepts.length > 0 ? new Date(Math.min(...accepts)) : null),
  };
}

/** The current call's id: the one the user is in, or the one ringing them. */
export const currentCallId = (u: UserDocView): string | null =>
  u.status === "idle" ? null : (u.callId ?? u.incoming?.callId ?? null);

/** Whether `me` has left `call` for good (so the SDK can stop watching it). */
export function isOver(call: CallView, me: string): boolean {
  const s = call.users.find((u) => u.id === me)?.state;
  return (
    call.state === "ended" ||
    s === "rejected" ||
    s === "canceled" ||
    s === "timeout" ||
    s === "quit"
  );
}

/** Heartbeat while calling or in a call that is not over (the inviter and accepted users). */
export function heartbeatTarget(
  s: RingbackState,
  defaultIntervalS = 20,
): { callId: string; intervalS: number } | null {
  if (!s.live || !s.callId || (s.status !== "calling" && s.status !== "in_call")) return null;
  if (!s.isThisDevice) return null; // only the active device keeps the call alive
  const call = s.call?.id === s.callId ? s.call : null;
  if (call && s.uid && isOver(call, s.uid)) return null;
  return { callId: s.callId, intervalS: call?.heartbeatInterval ?? defaultIntervalS };
}

/** Whether the invitation ringing now asks this device to ack it (not_received_check). */
export function needsAck(s: RingbackState): string | null {
  if (!s.live || s.status !== "ringing" || !s.call || s.call.id !== s.callId) return null;
  if (!s.call.notReceivedCheck) return null;
  const mine = s.call.users.find((u) => u.id === s.uid)?.state;
  return mine === "inviting" || mine === "not_yet_received" ? s.call.id : null;
}

/** Whether `device` may act for the user's current call (ringing: every device rings). */
export const isThisDevice = (u: UserDocView, device: string | undefined): boolean =>
  u.status === "idle" ||
  u.status === "ringing" ||
  u.deviceId === null ||
  device === undefined ||
  u.deviceId === device;

/**
 * `alone`: an ongoing call in which you are the only accepted user left, after others left
 * (`timedOut`: the ids the server timed out, from notify_timeout).
 */
export function aloneIn(call: CallView | null, me: string, timedOut: ReadonlySet<string>) {
  if (!call || call.state !== "ongoing") return null;
  const accepted = call.users.filter((u) => u.state === "accepted");
  if (accepted.length !== 1 || accepted[0]?.id !== me) return null;
  const left = call.users
    .filter((u) => u.state === "quit")
    .map((u) => ({
      id: u.id,
      name: u.name,
      reason: timedOut.has(u.id) ? ("timeout" as const) : ("quit" as const),
    }));
  return left.length > 0 ? { callId: call.id, left } : null;
}

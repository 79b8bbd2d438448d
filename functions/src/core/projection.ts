/**
 * The `users/{uid}` documents, derived from the calls (docs/protocol.md#documents): the one
 * doc a user subscribes to, with their status, their call and the invitation ringing now.
 */
import { InvariantError } from "./errors.js";
import { isPending, type Call, type Incoming, type UserDoc, type UserStatus } from "./types.js";

/** The status a call gives a user: what makes them busy. */
export function statusIn(call: Call, uid: string): UserStatus {
  const u = call.users[uid];
  // An undelivered invitee (screening.ts) is never held busy by the call.
  if (!u || u.undelivered || call.state === "ended") return "idle";
  if (isPending(u.state)) return "ringing";
  if (u.state !== "accepted") return "idle";
  return uid === call.caller.id && call.state === "ringing" ? "calling" : "in_call";
}

/** The call that keeps `uid` busy, if `call` (the one their doc names) does. */
export const busyIn = (call: Call | undefined, uid: string): Call | undefined =>
  call && statusIn(call, uid) !== "idle" ? call : undefined;

function incomingFor(call: Call, uid: string): Incoming | null {
  const u = call.users[uid];
  if (!u || u.undelivered || !isPending(u.state)) return null;
  return {
    call_id: call.call_id,
    caller: call.caller,
    type: call.type,
    deadline_at: u.deadline_at ?? call.deadline_at,
    extended_data: call.extended_data,
  };
}

/**
 * The `users/{uid}` doc after `call` changed, or null when it needs no write. A user doc
 * that points at another call is left alone when this call makes the user idle.
 */
export function reconcileUser(
  doc: UserDoc | undefined,
  call: Call,
  uid: string,
  now: number,
): UserDoc | null {
  const status = statusIn(call, uid);
  const mine = doc?.call_id === call.call_id;
  if (status === "idle") {
    if (!doc || !mine || doc.status === "idle") return null;
    return { status: "idle", call_id: null, incoming: null, device_id: null, updated_at: now };
  }
  if (doc && !mine && doc.status !== "idle") {
    throw new InvariantError(
      `${uid} would be ${status} in ${call.call_id} while ${doc.status} in ${String(doc.call_id)}`,
    );
  }
  const incoming = incomingFor(call, uid);
  const device_id = call.users[uid]?.device_id ?? null;
  if (
    doc &&
    mine &&
    doc.status === status &&
    doc.device_id === device_id &&
    JSON.stringify(doc.incoming) === JSON.stringify(incoming)
  ) {
    return null;
  }
  return { status, call_id: call.call_id, incoming, device_id, updated_at: now };
}

/**
 * The `users/{uid}` doc that `call` implies for a user it keeps busy, without reading it:
 * every write that makes a user busy in a call writes their doc in the same transaction,
 * and nothing else may point a busy user's doc elsewhere (the start path's busy check). So
 * commands on an existing call need not read the docs of the users it already holds.
 * Undefined when the call leaves the user idle (then the doc may belong to another call).
 */
export function impliedUserDoc(call: Call, uid: string): UserDoc | undefined {
  const status = statusIn(call, uid);
  if (status === "idle") return undefined;
  return {
    status,
    call_id: call.call_id,
    incoming: incomingFor(call, uid),
    device_id: call.users[uid]?.device_id ?? null,
    updated_at: call.updated_at,
  };
}

function viewOf(call: Call | undefined, uid: string): string {
  if (!call) return "";
  return JSON.stringify([statusIn(call, uid), incomingFor(call, uid), call.users[uid]?.device_id]);
}

/** The users whose `users/{uid}` doc may need a write after `before` became `after`. */
export function affectedUsers(before: Call | undefined, after: Call): string[] {
  return after.user_ids.filter((uid) => viewOf(before, uid) !== viewOf(after, uid));
}

/**
 * A call's duration in whole seconds (rounded down): from connected to ended, or to `now`
 * while it lasts; 0 when it never connected (docs/protocol.md#one-device-answers).
 */
export function durationS(call: Call, now: number): number {
  if (call.connected_at === undefined) return 0;
  return Math.max(0, Math.floor(((call.ended_at ?? now) - call.connected_at) / 1000));
}

/**
 * The one module that knows Firestore paths and shapes: collections with typed converters.
 * Documents hold Timestamps; the core works in epoch milliseconds.
 */
import {
  getFirestore,
  Timestamp,
  type DocumentData,
  type Firestore,
  type FirestoreDataConverter,
  type QueryDocumentSnapshot,
} from "firebase-admin/firestore";
import type { Notice } from "../core/notifications.js";
import { PUSH_JOBS } from "./pushOutbox.js";
import { shardOf } from "./shards.js";
import { OUTBOX } from "./webhookOutbox.js";
import type { Call, CallUser, Incoming, UserDoc } from "../core/types.js";

let db: Firestore | undefined;

/** The deployed functions' database (the default app's, initialised by platform.ts). */
export function firestore(): Firestore {
  db ??= prepare(getFirestore());
  return db;
}

/** Settings the converters rely on (optional fields are left out, not written as undefined). */
export function prepare(firestore: Firestore): Firestore {
  firestore.settings({ ignoreUndefinedProperties: true });
  return firestore;
}

const ts = (ms: number): Timestamp => Timestamp.fromMillis(ms);
const optTs = (ms: number | undefined): Timestamp | undefined =>
  ms === undefined ? undefined : ts(ms);
const msOf = (t: unknown): number => (t as Timestamp).toMillis();
const optMs = (t: unknown): number | undefined =>
  t === undefined || t === null ? undefined : msOf(t);

function mapUsers<A, B>(users: Record<string, A>, f: (u: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(users).map(([k, u]) => [k, f(u)]));
}

export const callConverter: FirestoreDataConverter<Call> = {
  toFirestore(call: Call): DocumentData {
    return {
      ...call,
      shard: shardOf(call.call_id), // the sweep's index shard (shards.ts)
      created_at: ts(call.created_at),
      deadline_at: ts(call.deadline_at),
      ended_at: optTs(call.ended_at),
      next_deadline_at: call.next_deadline_at === null ? null : ts(call.next_deadline_at),
      task_at: call.task_at === undefined || call.task_at === null ? null : ts(call.task_at),
      updated_at: ts(call.updated_at),
      users: mapUsers(call.users, (u: CallUser) => ({
        ...u,
        heartbeat_at: optTs(u.heartbeat_at),
        deadline_at: optTs(u.deadline_at),
        receipt_deadline_at: optTs(u.receipt_deadline_at),
        updated_at: ts(u.updated_at),
      })),
    };
  },
  fromFirestore(snap: QueryDocumentSnapshot): Call {
    const { shard: _shard, ...d } = snap.data();
    return {
      ...(d as Call),
      created_at: msOf(d.created_at),
      deadline_at: msOf(d.deadline_at),
      ended_at: optMs(d.ended_at),
      next_deadline_at: optMs(d.next_deadline_at) ?? null,
      task_at: optMs(d.task_at) ?? null,
      updated_at: msOf(d.updated_at),
      users: mapUsers(d.users as Record<string, DocumentData>, (u) => ({
        ...(u as CallUser),
        heartbeat_at: optMs(u.heartbeat_at),
        deadline_at: optMs(u.deadline_at),
        receipt_deadline_at: optMs(u.receipt_deadline_at),
        updated_at: msOf(u.updated_at),
      })),
    };
  },
};

export const userConverter: FirestoreDataConverter<UserDoc> = {
  toFirestore(u: UserDoc): DocumentData {
    return {
      ...u,
      incoming: u.incoming ? { ...u.incoming, deadline_at: ts(u.incoming.deadline_at) } : null,
      updated_at: ts(u.updated_at),
    };
  },
  fromFirestore(snap: QueryDocumentSnapshot): UserDoc {
    const d = snap.data();
    const incoming = d.incoming as
      (Omit<Incoming, "deadline_at"> & { deadline_at: unknown }) | null;
    return {
      status: d.status,
      call_id: d.call_id ?? null,
      incoming: incoming ? { ...incoming, deadline_at: msOf(incoming.deadline_at) } : null,
      device_id: d.device_id ?? null,
      updated_at: msOf(d.updated_at),
    };
  },
};

/**
 * What only the server reads of a call, kept in `calls/{id}/private/server` out of the
 * participants' reach (docs/protocol.md#who-may-read-what): each user's device and whether
 * they were logged out, and the first start's request hash and answer.
 */
export interface CallPrivate {
  start_request_hash?: string;
  start_result?: Call["start_result"];
  users: Record<string, { device_id?: string; logged_out?: boolean }>;
}

/** Splits a call into the shared doc the participants read and its private part. */
export function splitCall(call: Call): { shared: Call; priv: CallPrivate } {
  const { start_request_hash, start_result, ...rest } = call;
  const priv: CallPrivate = { start_request_hash, start_result, users: {} };
  const users: Record<string, CallUser> = {};
  for (const [uid, u] of Object.entries(call.users)) {
    const { device_id, logged_out, ...open } = u;
    users[uid] = open;
    if (device_id !== undefined || logged_out !== undefined) {
      priv.users[uid] = { device_id, logged_out };
    }
  }
  return { shared: { ...rest, users } as Call, priv };
}

/** The call as the core knows it: the shared doc with its private part put back. */
export function mergeCall(shared: Call, priv: CallPrivate | undefined): Call {
  if (!priv) return shared;
  const users: Record<string, CallUser> = {};
  for (const [uid, u] of Object.entries(shared.users)) {
    users[uid] = { ...u, ...definedOnly(priv.users?.[uid] ?? {}) };
  }
  return { ...shared, ...definedOnly(priv), users } as Call;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Notifications live this long before a Firestore TTL policy on `expire_at` removes them. */
export const NOTIFICATION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface NotificationDoc {
  path: Notice["path"];
  body: Notice["body"];
  call_id: string;
  /** Order of events within one call (version * 1000 + index). */
  seq: number;
  created_at: Timestamp;
  expire_at: Timestamp;
}

/** The collections of `db` (the deployed functions use `firestore()`). */
export function collections(db: Firestore) {
  return {
    calls: db.collection("calls").withConverter(callConverter),
    /** Server-only: the private part of a call (see CallPrivate; rules deny clients). */
    callPrivate: (callId: string) =>
      db.collection("calls").doc(callId).collection("private").doc("server"),
    users: db.collection("users").withConverter(userConverter),
    notifications: (uid: string) => db.collection("users").doc(uid).collection("notifications"),
    devices: (uid: string) => db.collection("users").doc(uid).collection("devices"),
    /** Server-only: startCall's per-user rate-limit buckets (rules deny clients). */
    rateLimits: db.collection("rate_limits"),
    /** Server-only: the webhook outbox (webhookOutbox.ts). */
    webhookEvents: db.collection(OUTBOX),
    /** Server-only: the push outbox (pushOutbox.ts). */
    pushJobs: db.collection(PUSH_JOBS),
  };
}
export type Collections = ReturnType<typeof collections>;

/** A stable event id: the same change always yields the same id, so retries never duplicate. */
export const eventId = (callId: string, version: number, index: number): string =>
  `${callId}-${version}-${index}`;

export function notificationDoc(
  notice: Notice,
  callId: string,
  version: number,
  index: number,
  now: number,
): NotificationDoc {
  return {
    path: notice.path,
    body: notice.body,
    call_id: callId,
    seq: version * 1000 + index,
    created_at: ts(now),
    expire_at: ts(now + NOTIFICATION_TTL_MS),
  };
}

/**
 * The one module that knows Firestore paths and shapes: collections with typed converters.
 * Documents hold Timestamps; the core works in epoch milliseconds.
 */
import {
  getFirestore,
  Timestamp,
  type DocumentData,
  type DocumentSnapshot,
  type Firestore,
  type FirestoreDataConverter,
  type QueryDocumentSnapshot,
} from "firebase-admin/firestore";
import type { Notice } from "../../core/notifications.js";
import type {
  Call,
  CallPrivate,
  CallUser,
  SharedCall,
  SharedCallUser,
  UserDoc,
} from "../../model/domain.js";
import {
  CALL_PRIVATE,
  PRIVATE_COLLECTIONS,
  USER_SUBCOLLECTIONS,
  type SharedNames,
} from "../../model/collections.js";
import {
  CALL_FIELDS,
  CALL_PRIVATE_FIELDS,
  parseOwn,
  parseUserFields,
  storedCall,
  storedCallPrivate,
  storedBucket,
  storedRingLog,
  USER_FIELDS,
} from "../../model/documents.js";

/** A ring log's and a start bucket's fields (read with the rest in one getAll, so in READ_MASK). */
const RING_LOG_FIELDS = Object.keys(storedRingLog.shape);
const BUCKET_FIELDS = Object.keys(storedBucket.shape);
import { sharedNames } from "../../params.js";
import { shardOf } from "./shards.js";

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

function mapUsers<A, B>(users: Record<string, A>, f: (u: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(users).map(([k, u]) => [k, f(u)]));
}

/** `calls/{call_id}`: the shared part of a call (mergeCall puts its private part back). */
export const callConverter: FirestoreDataConverter<SharedCall> = {
  toFirestore(call: SharedCall): DocumentData {
    return {
      ...call,
      shard: shardOf(call.call_id), // the sweep's index shard (shards.ts)
      created_at: ts(call.created_at),
      deadline_at: ts(call.deadline_at),
      connected_at: optTs(call.connected_at),
      ended_at: optTs(call.ended_at),
      next_deadline_at: call.next_deadline_at === null ? null : ts(call.next_deadline_at),
      task_at: call.task_at === undefined || call.task_at === null ? null : ts(call.task_at),
      updated_at: ts(call.updated_at),
      users: mapUsers(call.users, (u: SharedCallUser) => ({
        ...u,
        heartbeat_at: optTs(u.heartbeat_at),
        deadline_at: optTs(u.deadline_at),
        receipt_deadline_at: optTs(u.receipt_deadline_at),
        updated_at: ts(u.updated_at),
      })),
    };
  },
  /** Parsed, never cast: a call that does not parse throws UnreadableDocument (its path). */
  fromFirestore(snap: QueryDocumentSnapshot): SharedCall {
    return sharedCallOf(snap.ref.path, snap.data());
  },
};

/** A call's shared doc as stored, parsed (throws UnreadableDocument naming `path`). */
function sharedCallOf(path: string, data: unknown): SharedCall {
  const { shard: _shard, ...call } = parseOwn(storedCall, path, data); // shard: derived
  return call;
}

/** A call's shared doc read without the converter, parsed (undefined when there is none). */
export function parseShared(snap: DocumentSnapshot): SharedCall | undefined {
  const d = snap.data();
  return d === undefined ? undefined : sharedCallOf(snap.ref.path, d);
}

/**
 * `users/{uid}` is the app's document too: Ringback reads only its five fields (a missing or
 * malformed one reads as idle) and writes them with a field mask (USER_WRITE).
 */
export const userConverter: FirestoreDataConverter<UserDoc> = {
  toFirestore(u: UserDoc): DocumentData {
    return {
      status: u.status,
      call_id: u.call_id,
      incoming: u.incoming ? { ...u.incoming, deadline_at: ts(u.incoming.deadline_at) } : null,
      device_id: u.device_id,
      updated_at: ts(u.updated_at),
    };
  },
  fromFirestore(snap: QueryDocumentSnapshot): UserDoc {
    return parseUserFields(snap.data());
  },
};

/** How every write of `users/{uid}` is made: Ringback's fields only, the app's left as they are. */
export const USER_WRITE = { mergeFields: USER_FIELDS } as const;

/** One user's doc outside a transaction, Ringback's fields only (undefined: no doc). */
export async function readUserDoc(db: Firestore, uid: string): Promise<UserDoc | undefined> {
  const ref = collections(db).users.doc(uid).withConverter(null);
  const [snap] = await db.getAll(ref, { fieldMask: [...USER_FIELDS] });
  return snap?.exists ? parseUserFields(snap.data()) : undefined;
}

export type { CallPrivate };

/** A call's private part as stored, parsed (undefined when it has none). */
export function parsePrivate(snap: DocumentSnapshot): CallPrivate | undefined {
  const d = snap.data();
  return d === undefined ? undefined : parseOwn(storedCallPrivate, snap.ref.path, d);
}

/**
 * The fields a transaction's reads ask for: a call's, its private part's and Ringback's five
 * of `users/{uid}` (one getAll reads all three kinds). The app's own fields of a user doc are
 * never sent to Ringback, however large its profile.
 */
export const READ_MASK: readonly string[] = [
  ...new Set([
    ...CALL_FIELDS,
    ...CALL_PRIVATE_FIELDS,
    ...USER_FIELDS,
    ...RING_LOG_FIELDS,
    ...BUCKET_FIELDS,
  ]),
];

/** Splits a call into the shared doc the participants read and its private part. */
export function splitCall(call: Call): { shared: SharedCall; priv: CallPrivate } {
  const { start_request_hash, start_result, ...rest } = call;
  const priv: CallPrivate = { start_request_hash, start_result, users: {} };
  const users: Record<string, SharedCallUser> = {};
  for (const [uid, u] of Object.entries(call.users)) {
    // A user's extended_data (accept, decline, join, quit) is theirs to give to the users in
    // the call at that moment, by notification: kept out of what every participant reads.
    const { device_id, logged_out, undelivered, extended_data, ...open } = u;
    users[uid] = open;
    const hidden = { device_id, logged_out, undelivered, extended_data };
    if (Object.values(hidden).some((v) => v !== undefined)) priv.users[uid] = hidden;
  }
  const user_ids = call.user_ids.filter((uid) => !call.users[uid]?.undelivered);
  if (user_ids.length < call.user_ids.length) priv.all_user_ids = call.user_ids;
  return { shared: { ...rest, users, user_ids }, priv };
}

/** The call as the core knows it: the shared doc with its private part put back. */
export function mergeCall(shared: SharedCall, priv: CallPrivate | undefined): Call {
  if (!priv) return shared;
  const users: Record<string, CallUser> = {};
  for (const [uid, u] of Object.entries(shared.users)) {
    users[uid] = { ...u, ...definedOnly(priv.users?.[uid] ?? {}) };
  }
  const { all_user_ids, ...rest } = priv;
  return {
    ...shared,
    ...definedOnly(rest),
    users,
    user_ids: all_user_ids ?? shared.user_ids,
  };
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

/**
 * The collections of `db` (the deployed functions use `firestore()`), under the configured
 * names of the two shared ones (params RINGBACK_USERS_COLLECTION, RINGBACK_CALLS_COLLECTION).
 */
export function collections(db: Firestore, names: SharedNames = sharedNames()) {
  const user = (uid: string) => db.collection(names.users).doc(uid);
  return {
    names,
    calls: db.collection(names.calls).withConverter(callConverter),
    /** Server-only: the private part of a call (see CallPrivate; rules deny clients). */
    callPrivate: (callId: string) =>
      db
        .collection(names.calls)
        .doc(callId)
        .collection(CALL_PRIVATE.collection)
        .doc(CALL_PRIVATE.doc),
    users: db.collection(names.users).withConverter(userConverter),
    notifications: (uid: string) => user(uid).collection(USER_SUBCOLLECTIONS.notifications),
    devices: (uid: string) => user(uid).collection(USER_SUBCOLLECTIONS.devices),
    /** `users/{uid}/blocked/{other}`: `other` may not ring `uid` (written by the server). */
    blocked: (uid: string) => user(uid).collection(USER_SUBCOLLECTIONS.blocked),
    /** Server-only: startCall's per-user rate-limit buckets. */
    rateLimits: db.collection(PRIVATE_COLLECTIONS.rateLimits),
    /** Server-only: the webhook outbox (webhooks/outbox.ts). */
    webhookEvents: db.collection(PRIVATE_COLLECTIONS.webhookEvents),
    /** Server-only: the push outbox (push/outbox.ts). */
    pushJobs: db.collection(PRIVATE_COLLECTIONS.pushJobs),
    /** Server-only: who holds each push token (calls/devices.ts). */
    pushTokens: db.collection(PRIVATE_COLLECTIONS.pushTokens),
    /** Server-only: each callee's delivered invitations of the last minute (ring limits). */
    ringLogs: db.collection(PRIVATE_COLLECTIONS.ringLogs),
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

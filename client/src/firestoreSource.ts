/** The session's documents, read from Firestore with the modular web SDK. */
import {
  Timestamp,
  collection,
  doc,
  getDoc,
  limitToLast,
  onSnapshot,
  orderBy,
  query,
  where,
  type DocumentData,
  type Firestore,
} from "firebase/firestore";
import type { Source } from "./source.js";
import { toMillis } from "./state.js";
import type { NotificationDoc } from "./types.js";

/** How many of the newest notifications the first listener reads (the rest is old history). */
const FIRST_READ = 100;

function toNotification(id: string, d: DocumentData): NotificationDoc {
  return {
    id,
    path: typeof d.path === "string" ? d.path : "",
    body: typeof d.body === "object" && d.body !== null ? (d.body as Record<string, unknown>) : {},
    call_id: typeof d.call_id === "string" ? d.call_id : "",
    seq: typeof d.seq === "number" ? d.seq : 0,
    created_at: toMillis(d.created_at),
  };
}

/**
 * Where the server keeps users' live state and calls: its params RINGBACK_USERS_COLLECTION
 * and RINGBACK_CALLS_COLLECTION (default users and calls).
 */
export interface CollectionNames {
  users?: string;
  calls?: string;
}

export function firestoreSource(db: Firestore, names: CollectionNames = {}): Source {
  const users = names.users ?? "users";
  const calls = names.calls ?? "calls";
  const meta = { includeMetadataChanges: true };
  return {
    user: (uid, next, fail) =>
      onSnapshot(doc(db, users, uid), meta, (s) => next(s.data(), s.metadata.fromCache), fail),
    notes(uid, after, next, fail) {
      const col = collection(db, users, uid, "notifications");
      const q =
        after === null
          ? query(col, orderBy("created_at"), limitToLast(FIRST_READ))
          : query(
              col,
              where("created_at", ">=", Timestamp.fromMillis(after)),
              orderBy("created_at"),
            );
      return onSnapshot(
        q,
        meta,
        (s) =>
          next(
            s
              .docChanges()
              .filter((c) => c.type === "added")
              .map((c) => toNotification(c.doc.id, c.doc.data())),
            s.metadata.fromCache,
          ),
        fail,
      );
    },
    call: (callId, next, fail) => onSnapshot(doc(db, calls, callId), (s) => next(s.data()), fail),
    getCall: async (callId) => (await getDoc(doc(db, calls, callId))).data(),
  };
}

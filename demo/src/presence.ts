/**
 * Presence on contacts. Ringback's `users/{uid}` is readable by its owner alone
 * (firestore.rules), so a contact's status cannot come from there: the demo keeps its own
 * `demo_presence/{uid}` doc ({status: idle | busy, seen_at}), written by its owner and read by
 * any signed-in user (the demo's part of firestore.rules). A doc not refreshed for
 * STALE_MS (a closed or offline window) reads offline.
 */
import type { RingbackState } from "@ringback/client";
import {
  collection,
  doc,
  onSnapshot,
  serverTimestamp,
  setDoc,
  type Firestore,
  type Timestamp,
} from "firebase/firestore";

export type Presence = "idle" | "busy" | "offline";
export const PRESENCE_COLLECTION = "demo_presence";
const REFRESH_MS = 20_000;
const STALE_MS = 50_000;

export function presenceLabel(p: Presence): string {
  return p === "idle" ? "Available" : p === "busy" ? "Busy" : "Offline";
}

/** Keeps the signed-in user's presence doc current; returns a stop that marks them offline. */
export function publishPresence(db: Firestore, uid: string, status: () => RingbackState) {
  let last = "";
  const write = (value: Presence): Promise<void> =>
    setDoc(doc(db, PRESENCE_COLLECTION, uid), { status: value, seen_at: serverTimestamp() }).catch(
      () => undefined, // presence is a nicety: a failed write is retried by the next refresh
    );
  const now = (): Presence => (status().status === "idle" ? "idle" : "busy");
  const timer = setInterval(() => void write(now()), REFRESH_MS);
  void write((last = now()));
  return {
    /** Writes again when idle/busy changed. */
    update(): void {
      const p = now();
      if (p !== last) void write((last = p));
    },
    stop(): Promise<void> {
      clearInterval(timer);
      return write("offline");
    },
  };
}

/** Calls `onChange` with everyone's presence now and on every change (and every 10 s). */
export function watchPresence(db: Firestore, onChange: (m: Map<string, Presence>) => void) {
  let docs = new Map<string, { status: string; seenAt: number }>();
  const emit = () => {
    const m = new Map<string, Presence>();
    for (const [id, d] of docs) {
      const fresh = Date.now() - d.seenAt < STALE_MS;
      m.set(
        id,
        !fresh || d.status === "offline" ? "offline" : d.status === "busy" ? "busy" : "idle",
      );
    }
    onChange(m);
  };
  const off = onSnapshot(
    collection(db, PRESENCE_COLLECTION),
    (snap) => {
      docs = new Map(
        snap.docs.map((d) => {
          // A pending serverTimestamp reads null locally: count it as now.
          const at = d.get("seen_at") as Timestamp | null;
          return [
            d.id,
            { status: String(d.get("status")), seenAt: at ? at.toMillis() : Date.now() },
          ];
        }),
      );
      emit();
    },
    () => undefined, // signed out: the rules refuse; the next sign-in watches again
  );
  const timer = setInterval(emit, 10_000);
  return () => {
    off();
    clearInterval(timer);
  };
}

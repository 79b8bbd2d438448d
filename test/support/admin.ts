/** The server side of the tests: firebase-admin on the emulators, and the sweep trigger. */
import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getFirestore, Timestamp, type Firestore } from "firebase-admin/firestore";
import { expect } from "vitest";
import { env } from "./env.js";

let app: App | undefined;

export function adminDb(): Firestore {
  app ??=
    getApps().find((a) => a.name === "admin-tests") ??
    initializeApp({ projectId: env.projectId }, "admin-tests");
  return getFirestore(app);
}

export async function callDoc(callId: string): Promise<FirebaseFirestore.DocumentData> {
  const snap = await adminDb().collection("calls").doc(callId).get();
  expect(snap.exists, `calls/${callId} exists`).toBe(true);
  return snap.data() as FirebaseFirestore.DocumentData;
}

/** Runs the scheduled sweep once, as Cloud Scheduler would. */
export async function triggerSweep(): Promise<void> {
  const url = `${env.functionsOrigin}/functions/projects/${env.projectId}/triggers/us-central1-sweepTimeouts-0`;
  const res = await fetch(url, { method: "POST" });
  expect(res.status, `sweep trigger ${url}`).toBe(200);
  await res.arrayBuffer();
}

/**
 * Simulates time passing for one user of a call without waiting: moves their heartbeat
 * back by `ms`, and the call's next deadline with it, as if they had been silent that long.
 */
export async function silence(callId: string, uid: string, ms: number): Promise<void> {
  const ref = adminDb().collection("calls").doc(callId);
  await adminDb().runTransaction(async (tx) => {
    const d = (await tx.get(ref)).data() as FirebaseFirestore.DocumentData;
    const hb = d.users[uid].heartbeat_at as Timestamp;
    const back = Timestamp.fromMillis(hb.toMillis() - ms);
    const next = d.next_deadline_at as Timestamp | null;
    tx.update(ref, {
      [`users.${uid}.heartbeat_at`]: back,
      next_deadline_at:
        next && next.toMillis() < back.toMillis() ? next : Timestamp.fromMillis(back.toMillis()),
    });
  });
}

/** Everything stored about these users: their docs, notifications and calls. */
export async function footprint(uids: string[]): Promise<string> {
  const db = adminDb();
  const parts: unknown[] = [];
  for (const uid of uids) {
    const user = await db.collection("users").doc(uid).get();
    const notes = await db.collection("users").doc(uid).collection("notifications").get();
    const calls = await db.collection("calls").where("user_ids", "array-contains", uid).get();
    parts.push([
      uid,
      user.data() ?? null,
      notes.docs.map((d) => [d.id, d.data()]),
      calls.docs.map((d) => [d.id, d.data()]),
    ]);
  }
  return JSON.stringify(parts);
}

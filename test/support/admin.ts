/** The server side of the tests: firebase-admin on the emulators, and the sweep trigger. */
import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getFirestore, Timestamp, type Firestore } from "firebase-admin/firestore";
import { expect } from "vitest";
import { collections, prepare, USER_WRITE } from "../../functions/src/adapters/store/firestore.js";
import type { UserState } from "../../functions/src/core/types.js";
import { earliestDeadline, ringing as isPending, userDocOf } from "./reference.js";
import { env } from "./env.js";
import { callPath, names, userPath } from "./names.js";
import { control } from "./control.js";
import { HEARTBEAT } from "./heartbeat.js";

let app: App | undefined;
let db: Firestore | undefined;

/** The tests' admin Firestore, with the settings the server's converters rely on. */
export function adminDb(): Firestore {
  app ??=
    getApps().find((a) => a.name === "admin-tests") ??
    initializeApp({ projectId: env.projectId }, "admin-tests");
  db ??= prepare(getFirestore(app));
  return db;
}

export async function callDoc(callId: string): Promise<FirebaseFirestore.DocumentData> {
  const snap = await adminDb().doc(callPath(callId)).get();
  expect(snap.exists, `${callPath(callId)} exists`).toBe(true);
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
 * back by `ms`, and the call's next deadline and pending task's moment (`task_at`, what the
 * sweep queries) with it, as if they had been silent that long.
 */
export async function silence(callId: string, uid: string, ms: number): Promise<void> {
  const ref = adminDb().doc(callPath(callId));
  await adminDb().runTransaction(async (tx) => {
    const d = (await tx.get(ref)).data() as FirebaseFirestore.DocumentData;
    const hb = d.users[uid].heartbeat_at as Timestamp;
    const back = Timestamp.fromMillis(hb.toMillis() - ms);
    const next = d.next_deadline_at as Timestamp | null;
    const task = d.task_at as Timestamp | null | undefined;
    const earlier = (t: Timestamp | null | undefined) =>
      t && t.toMillis() < back.toMillis() ? t : Timestamp.fromMillis(back.toMillis());
    tx.update(ref, {
      [`users.${uid}.heartbeat_at`]: back,
      next_deadline_at: earlier(next),
      task_at: earlier(task),
    });
  });
}

/** Everything stored about these users: their docs, notifications and calls. */
export async function footprint(uids: string[]): Promise<string> {
  const db = adminDb();
  const parts: unknown[] = [];
  for (const uid of uids) {
    const user = await db.doc(userPath(uid)).get();
    const notes = await db.doc(userPath(uid)).collection("notifications").get();
    const calls = await db.collection(names.calls).where("user_ids", "array-contains", uid).get();
    parts.push([
      uid,
      user.data() ?? null,
      notes.docs.map((d) => [d.id, d.data()]),
      await Promise.all(
        calls.docs.map(async (d) => [d.id, d.data(), (await privateOf(d.id)) ?? null]),
      ),
    ]);
  }
  return JSON.stringify(parts);
}

/** The server's private part of a call (`calls/{id}/private/server`), as stored. */
export async function privateOf(
  callId: string,
): Promise<FirebaseFirestore.DocumentData | undefined> {
  return (
    await adminDb()
      .doc(`${callPath(callId)}/private/server`)
      .get()
  ).data();
}

/**
 * Test fixture: puts `uid` into `state` in a live call directly (as if it had got there),
 * keeping the call and the user docs consistent the way the server writes them: what a
 * user in that state must be allowed or refused can then be asked through the callables.
 */
export async function forceState(callId: string, uid: string, state: UserState): Promise<void> {
  const db = adminDb();
  const col = collections(db);
  await db.runTransaction(async (tx) => {
    const call = (await tx.get(col.calls.doc(callId))).data();
    if (!call) throw new Error(`no call ${callId}`);
    const u = call.users[uid];
    if (!u) throw new Error(`${uid} is not in ${callId}`);
    const now = Date.now();
    u.state = state;
    u.updated_at = now;
    if (state === "accepted") u.heartbeat_at = now;
    if (isPending(state)) u.deadline_at = now + 60_000;
    if (uid !== call.caller.id && state === "accepted") call.state = "ongoing";
    call.next_deadline_at = earliestDeadline(call, HEARTBEAT.timeoutMs); // as the stack's server has it
    // As the server keeps it: the pending task runs at or before the next deadline.
    const next = call.next_deadline_at;
    if (next !== null && (call.task_at == null || call.task_at > next)) call.task_at = next;
    tx.set(col.calls.doc(callId), call);
    // The docs' user document for each user (the docs' table, not the server's projection).
    for (const id of call.user_ids) tx.set(col.users.doc(id), userDocOf(call, id, now), USER_WRITE);
  });
}

/**
 * Every document of the database, with its path and data, subcollections included: proof that
 * nothing at all was written, wherever a bug might have written it.
 */
export async function databaseFootprint(): Promise<string> {
  const out: [string, unknown][] = [];
  const walk = async (cols: FirebaseFirestore.CollectionReference[]): Promise<void> => {
    for (const col of cols) {
      const docs = await col.listDocuments(); // also documents that only hold subcollections
      for (const ref of docs) {
        const snap = await ref.get();
        if (snap.exists) out.push([ref.path, snap.data()]);
        await walk(await ref.listCollections());
      }
    }
  };
  await walk(await adminDb().listCollections());
  out.sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(out);
}

/** Test fixture cleanup: forgets calls and the named users' docs, so they are idle again. */
export async function forget(callIds: string[], uids: string[]): Promise<void> {
  const db = adminDb();
  const batch = db.batch();
  for (const id of callIds) {
    batch.delete(db.doc(callPath(id)));
    batch.delete(db.doc(`${callPath(id)}/private/server`));
  }
  for (const uid of uids) batch.delete(db.doc(userPath(uid)));
  await batch.commit();
}

/**
 * Deletes every document of the stack's project (between stress scenarios). The emulator
 * answers 409 while a transaction (a deadline task, say) is open: wait and try again.
 */
export async function clearDatabase(): Promise<void> {
  const url = `http://${env.firestoreHost}/emulator/v1/projects/${env.projectId}/databases/(default)/documents`;
  let status = 0;
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await fetch(url, { method: "DELETE" });
    status = res.status;
    await res.arrayBuffer();
    if (status !== 409) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(status, `clearing ${url}`).toBe(200);
}

/**
 * Drops every task the runner's scheduled-task delivery (scripts/standins/scheduledTasks.mjs) has
 * not dispatched yet, then waits until none is being dispatched, at most `timeoutMs`.
 * Resolves whether it got there. Between stress scenarios, before the database is cleared: a
 * deadline task of one scenario that read its call before the clear would otherwise commit
 * into the next scenario's cleared database (the emulator's clear ignores transactions).
 */
export async function dropTasks(timeoutMs = 120_000): Promise<boolean> {
  const dropped = await control("DELETE", "/tasks/pending");
  if (dropped.status !== 200) throw new Error(`dropping scheduled tasks: HTTP ${dropped.status}`);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const busy = (await control<{ inflight: number; retrying: number }>("GET", "/tasks/busy")).body;
    if (busy.inflight === 0 && busy.retrying === 0) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** firebase-admin on the emulators for the benchmark, one app per project id. */
import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import { prepare } from "../../functions/src/adapters/store/firestore.js";
import { env } from "../../test/support/env.js";

const dbs = new Map<string, Firestore>();

/** The admin Firestore of `projectId` (default: the stack's project). */
export function adminDb(projectId = env.projectId): Firestore {
  let db = dbs.get(projectId);
  if (!db) {
    const name = `bench-${projectId}`;
    const app = getApps().find((a) => a.name === name) ?? initializeApp({ projectId }, name);
    db = prepare(getFirestore(app));
    dbs.set(projectId, db);
  }
  return db;
}

/** Deletes every document of `projectId` in the Firestore emulator. */
export async function clearProject(projectId: string): Promise<void> {
  const url = `http://${env.firestoreHost}/emulator/v1/projects/${projectId}/databases/(default)/documents`;
  const res = await fetch(url, { method: "DELETE" });
  if (!res.ok) throw new Error(`clearing ${projectId}: HTTP ${res.status}`);
  await res.arrayBuffer();
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * A Firestore emulator project of one test file's own, for tests that run the adapters in
 * process (no callables): nothing else writes there, so what they count (documents examined,
 * reads, writes, traces) is exact.
 */
import { initializeApp } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";
import type { Ctx } from "../../functions/src/adapters/context.js";
import { prepare } from "../../functions/src/adapters/store/firestore.js";
import type { CoreConfig } from "../../functions/src/core/types.js";
import { env } from "./env.js";
import { HEARTBEAT } from "./heartbeat.js";

/** The stack's heartbeat params, which the in-process tests run under. */
export const directCfg: CoreConfig = {
  heartbeatIntervalS: HEARTBEAT.intervalS,
  heartbeatTimeoutMs: HEARTBEAT.timeoutMs,
};

/**
 * Empties `project` and returns the adapters' context over it. `wrap` puts something between
 * the adapters and Firestore (the benchmark's metering) without changing what they see.
 */
export async function directProject(
  project: string,
  wrap: (db: Firestore) => Firestore = (db) => db,
): Promise<Ctx> {
  const url = `http://${env.firestoreHost}/emulator/v1/projects/${project}/databases/(default)/documents`;
  const res = await fetch(url, { method: "DELETE" });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`clearing ${project}: HTTP ${res.status}`);
  const db = prepare(getFirestore(initializeApp({ projectId: project }, `direct-${project}`)));
  return { db: wrap(db), cfg: directCfg };
}

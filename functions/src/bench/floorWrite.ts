/**
 * The benchmark's floor (b): the least a callable can do, one document write, so that
 * ring latency can be compared with the platform's own cost. Bench-only: index.ts exports
 * it only inside the functions emulator, so `firebase deploy` never sees it.
 */
import { FieldValue } from "firebase-admin/firestore";
import { HttpsError, onCall } from "firebase-functions/v2/https";
import { firestore } from "../adapters/firestore.js";

export const floorWrite = onCall({ region: "us-central1" }, async (request) => {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in first.");
  const n = (request.data as { n?: unknown } | null)?.n;
  await firestore()
    .collection("users")
    .doc(request.auth.uid)
    .collection("probes")
    .doc("floor")
    .set({ n: typeof n === "number" ? n : null, at: FieldValue.serverTimestamp() });
  return { ok: true };
});

/** True only in the local functions emulator on a demo project. */
export const benchFloorEnabled = (): boolean =>
  process.env.FUNCTIONS_EMULATOR === "true" &&
  (process.env.GCLOUD_PROJECT ?? "").startsWith("demo-");

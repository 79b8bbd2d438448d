// The benchmark's floors: the least a callable can do, so that Ringback's latency can be
// compared with the platform's own cost. A codebase of its own ("bench"), which
// scripts/stack.mjs adds to the emulators' config only when RINGBACK_BENCH_FUNCTIONS=1
// (`npm run bench`): never in firebase.json, so `firebase deploy` never sees it. Its
// packages resolve from the repository's node_modules.
const { initializeApp } = require("firebase-admin/app");
const { FieldValue, getFirestore } = require("firebase-admin/firestore");
const { onInit } = require("firebase-functions/v2");
const { HttpsError, onCall } = require("firebase-functions/v2/https");

onInit(() => initializeApp());

/** Floor (b): one document write, which a client listener then sees. */
exports.benchFloorWrite = onCall({ region: "us-central1" }, async (request) => {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in first.");
  const n = request.data?.n;
  await getFirestore()
    .collection("users")
    .doc(request.auth.uid)
    .collection("blocked") // readable by its owner under the rules block (bench/latency.ts)
    .doc("probe-floor")
    .set({ n: typeof n === "number" ? n : null, at: FieldValue.serverTimestamp() });
  return { ok: true };
});

/**
 * Floor (c): one Firestore transaction (read one doc, write one doc), which a client listener
 * then sees: the least a transactional command can cost, what Ringback's commands are held to.
 */
exports.benchFloorTransaction = onCall({ region: "us-central1" }, async (request) => {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in first.");
  const n = request.data?.n;
  const db = getFirestore();
  const ref = db
    .collection("users")
    .doc(request.auth.uid)
    .collection("blocked")
    .doc("probe-floorTx");
  await db.runTransaction(async (tx) => {
    const before = await tx.get(ref);
    tx.set(ref, {
      n: typeof n === "number" ? n : null,
      previous: before.exists ? before.get("n") : null,
      at: FieldValue.serverTimestamp(),
    });
  });
  return { ok: true };
});

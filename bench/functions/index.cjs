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

/**
 * The documents each of Ringback's 1:1 commands reads and writes (test/integration/cost.test.ts
 * counts them): start reads both user docs and the callee's block doc of the caller, and
 * writes the call, its private part, both user docs and three notifications; accept reads the
 * call and its private part, and writes the call, both user docs and three notifications; end
 * reads the same two and writes the call, both user docs and one notification.
 */
const SHAPES = {
  start: { readCall: false, readUsers: true, writePrivate: true, notifications: 3 },
  accept: { readCall: true, readUsers: false, writePrivate: false, notifications: 3 },
  end: { readCall: true, readUsers: false, writePrivate: false, notifications: 1 },
};

/**
 * Floor (d): one transaction over the same documents, of about the same sizes, as a 1:1
 * command's (`shape`: start, accept or end), in collections of the bench's own, with no
 * Ringback logic: what that command's work costs on this Firestore. The callee's listener
 * sees its "invitation" (users/{callee}/blocked/probe-floorD, a doc it may read).
 */
exports.benchFloorSameWork = onCall({ region: "us-central1" }, async (request) => {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in first.");
  const { n, callee, shape: name } = request.data ?? {};
  const shape = SHAPES[name];
  if (typeof callee !== "string" || !shape) {
    throw new HttpsError("invalid-argument", "callee (a uid) and shape (start|accept|end).");
  }
  const caller = request.auth.uid;
  const db = getFirestore();
  const call = db.collection("bench_floor_calls").doc(`${caller}-${callee}`);
  const priv = call.collection("private").doc("state");
  const user = (uid) => db.collection("bench_floor_users").doc(uid);
  const note = (uid, i) =>
    db.collection("users").doc(uid).collection("blocked").doc(`probe-floorD${i}`);
  const at = FieldValue.serverTimestamp();
  const party = (uid) => ({ id: uid, name: uid, state: "inviting", updated_at: Date.now() });
  await db.runTransaction(async (tx) => {
    if (shape.readUsers) await tx.getAll(user(caller), user(callee), note(callee, "-block"));
    if (shape.readCall) await tx.getAll(call, priv);
    tx.set(call, {
      call_id: call.id,
      caller: { id: caller, name: caller },
      users: { [caller]: party(caller), [callee]: party(callee) },
      user_ids: [caller, callee],
      state: name,
      type: 1,
      mode: "common",
      timeout: 60,
      n: typeof n === "number" ? n : null,
      created_at: at,
      updated_at: at,
    });
    if (shape.writePrivate) tx.set(priv, { devices: {}, request_hash: `${n}`, at });
    for (const uid of [caller, callee]) {
      tx.set(user(uid), {
        status: "ringing",
        call_id: call.id,
        role: "callee",
        device_id: null,
        updated_at: at,
      });
    }
    // The callee's first notification is the one its listener waits for.
    const to = [callee, caller, callee].slice(0, shape.notifications);
    to.forEach((uid, i) =>
      tx.set(note(uid, i === 0 ? "" : `-${i}`), {
        path: "bench_floor",
        call_id: call.id,
        seq: n,
        n: typeof n === "number" ? n : null,
        body: { caller: { id: caller, name: caller }, type: 1, timeout: 60, data: "" },
        created_at: at,
      }),
    );
  });
  return { ok: true };
});

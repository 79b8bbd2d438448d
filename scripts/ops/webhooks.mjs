// Lists webhook deliveries and re-drives the failed ones (docs/protocol.md#server-to-server-callbacks).
//
//   npm run webhooks -- list [--status failed|pending|delivered] [--emulators]
//   npm run webhooks -- redrive <event_id>... | --failed   [--emulators]
//
// Against a real project: GOOGLE_CLOUD_PROJECT=<id> with Application Default Credentials
// (`gcloud auth application-default login`); --region if the functions are not in us-central1.
// Against `npm start`: --emulators. Inside `npm run with-emulators -- …` the environment
// already names the emulators. Re-driving sets the event pending again and enqueues a fresh
// delivery task, which gets the whole retry schedule again.
import { initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { getFunctions } from "firebase-admin/functions";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const has = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const usage = () => {
  console.error(
    "usage: npm run webhooks -- list [--status failed|pending|delivered] | redrive <event_id>... | redrive --failed  [--emulators] [--region r]",
  );
  process.exit(2);
};

const region = flag("--region") ?? "us-central1";
const status = flag("--status") ?? "failed";
const allFailed = has("--failed");
if (has("--emulators")) {
  process.env.GCLOUD_PROJECT ??= "demo-ringback";
  process.env.FIRESTORE_EMULATOR_HOST ??= "127.0.0.1:8080";
  process.env.RINGBACK_SCHEDULED_TASKS ??= "127.0.0.1:9498";
}
// Locally, deliveries go through the stack's scheduled delivery (it honours retry configs).
if (process.env.RINGBACK_SCHEDULED_TASKS) {
  process.env.CLOUD_TASKS_EMULATOR_HOST = process.env.RINGBACK_SCHEDULED_TASKS;
}
const projectId = process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT;
if (!projectId) {
  console.error("Set GOOGLE_CLOUD_PROJECT (a real project) or pass --emulators.");
  process.exit(2);
}
const [command, ...ids] = args;
const app = initializeApp({ projectId });
const db = getFirestore(app);
const events = db.collection("ringback_webhook_events"); // PRIVATE_COLLECTIONS.webhookEvents

if (command === "list") {
  const snap = await events.where("status", "==", status).limit(500).get();
  const rows = snap.docs
    .map((d) => d.data())
    .sort((a, b) => a.created_at.toMillis() - b.created_at.toMillis());
  for (const e of rows) {
    const last = e.attempts.at(-1);
    const why = last ? (last.status ? `HTTP ${last.status}` : last.error) : "never tried";
    console.log(
      `${e.event_id}  ${e.event}  ${e.created_at.toDate().toISOString()}  ${e.attempts.length} attempts  ${why}`,
    );
  }
  console.log(`${rows.length} ${status} event(s)`);
} else if (command === "redrive") {
  const targets = allFailed
    ? (await events.where("status", "==", "failed").limit(500).get()).docs.map((d) => d.id)
    : ids;
  if (targets.length === 0) usage();
  // Queue 0: webhookTask1 … run the same handler, and a redrive's id is new, so any queue
  // takes it; the call's own queue (docs/protocol.md#channels) matters only for first sends.
  const queue = getFunctions(app).taskQueue(`locations/${region}/functions/webhookTask`);
  for (const id of targets) {
    const ref = events.doc(id);
    const ok = await db.runTransaction(async (tx) => {
      const e = (await tx.get(ref)).data();
      if (!e || e.status === "delivered") return false;
      tx.update(ref, { status: "pending", lease_until: null, redriven_at: new Date() });
      return true;
    });
    if (!ok) {
      console.log(`${id}: not found or already delivered, skipped`);
      continue;
    }
    await queue.enqueue({ event_id: id }, { id: `${id}-redrive-${Date.now()}` });
    console.log(`${id}: re-driven`);
  }
} else {
  usage();
}
process.exit(0);

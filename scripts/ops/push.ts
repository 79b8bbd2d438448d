/**
 * `npm run push -- check [--project <id>] [--uid <uid>]`: the push self-check for an
 * operator (functions/src/channels/push/selfCheck.ts, docs/push.md#self-check): one FCM dry-run
 * send (no device is woken) to a registered token, here with your credentials; run it after
 * deploying and after any change to the service account or the FCM API. Exit 0: the setup
 * works (or no device has a token yet); 1: it does not, with the fix. Credentials are the
 * usual Application Default Credentials; with FIRESTORE_EMULATOR_HOST set the token is read
 * from the emulator (FCM is always the real one: a dry run needs a real project).
 */
import { parseArgs } from "node:util";
import { initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { getMessaging } from "firebase-admin/messaging";
import { pushSelfCheck } from "../../functions/src/channels/push/selfCheck.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    project: { type: "string" },
    database: { type: "string" },
    uid: { type: "string" },
  },
});
const project = values.project ?? process.env.GCLOUD_PROJECT;
if (positionals[0] !== "check" || !project) {
  console.error("usage: npm run push -- check --project <project-id> [--uid <uid>]");
  process.exit(2);
}
const app = initializeApp({ projectId: project });
const db = values.database ? getFirestore(app, values.database) : getFirestore(app);
const result = await pushSelfCheck(db, (m) => getMessaging(app).sendEach(m, true), {
  ...(values.uid ? { uid: values.uid } : {}),
});
console.log(`${result.ok ? "ok" : "FAILED"}: ${result.detail}`);
if (result.device) console.log(`  token of ${result.device.uid} / ${result.device.device_id}`);
if (result.fix) console.log(`  fix: ${result.fix}`);
process.exit(result.ok ? 0 : 1);

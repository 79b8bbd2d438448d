/**
 * `npm run migrate-collections -- --project <id> [--dry-run]`: moves Ringback's private
 * collections to their `ringback_` names (scripts/ops/migrateCollections.ts). Run it once,
 * right after deploying the version that uses them. Credentials are the usual Application
 * Default Credentials; with FIRESTORE_EMULATOR_HOST set it works on the emulator instead.
 */
import { parseArgs } from "node:util";
import { initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { migrateCollections } from "./ops/migrateCollections.js";

const { values } = parseArgs({
  options: {
    project: { type: "string" },
    database: { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
});
const project = values.project ?? process.env.GCLOUD_PROJECT;
if (!project) {
  console.error("usage: npm run migrate-collections -- --project <project-id> [--dry-run]");
  process.exit(2);
}
const app = initializeApp({ projectId: project });
const db = values.database ? getFirestore(app, values.database) : getFirestore(app);
const counts = await migrateCollections(db, {
  dryRun: values["dry-run"],
  progress: (msg) => console.log(msg),
});
for (const [move, c] of Object.entries(counts)) {
  console.log(
    `${move}: ${c.scanned} read, ${c.copied} copied, ${c.kept} already there, ${c.deleted} deleted, ` +
      `${c.foreign} not Ringback's (left alone)` +
      (values["dry-run"] ? " (dry run)" : ""),
  );
}

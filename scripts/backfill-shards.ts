/**
 * `npm run backfill-shards -- --project <id> [--dry-run]`: gives the calls, outbox events and
 * push jobs written before the sharded indexes the `shard` their sweeps now query by
 * (functions/src/adapters/backfillShards.ts, SCALE.md "Existing deployments"). Run it once,
 * after deploying. Credentials are the usual Application Default Credentials
 * (`gcloud auth application-default login`); with FIRESTORE_EMULATOR_HOST set it works on
 * the emulator instead.
 */
import { parseArgs } from "node:util";
import { initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { backfillShards } from "../functions/src/adapters/backfillShards.js";

const { values } = parseArgs({
  options: {
    project: { type: "string" },
    database: { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
});
const project = values.project ?? process.env.GCLOUD_PROJECT;
if (!project) {
  console.error("usage: npm run backfill-shards -- --project <project-id> [--dry-run]");
  process.exit(2);
}
const app = initializeApp({ projectId: project });
const db = values.database ? getFirestore(app, values.database) : getFirestore(app);
const counts = await backfillShards(db, {
  dryRun: values["dry-run"],
  progress: (msg) => console.log(msg),
});
for (const [collection, c] of Object.entries(counts)) {
  console.log(
    `${collection}: ${c.scanned} read, ${c.stale} without their shard, ${c.written} written` +
      (values["dry-run"] ? " (dry run)" : ""),
  );
}

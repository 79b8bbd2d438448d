/**
 * What the operator scripts (backfill-shards, migrate-collections) share: `--project <id>`
 * (or GCLOUD_PROJECT), `--database <id>` and `--dry-run`, and the admin Firestore they name.
 * Credentials are the usual Application Default Credentials; with FIRESTORE_EMULATOR_HOST set
 * the scripts work on the emulator instead.
 */
import { parseArgs } from "node:util";
import { initializeApp } from "firebase-admin/app";
import { getFirestore, type Firestore } from "firebase-admin/firestore";

export function adminCli(command: string): { db: Firestore; dryRun: boolean } {
  const { values } = parseArgs({
    options: {
      project: { type: "string" },
      database: { type: "string" },
      "dry-run": { type: "boolean", default: false },
    },
  });
  const project = values.project ?? process.env.GCLOUD_PROJECT;
  if (!project) {
    console.error(`usage: npm run ${command} -- --project <project-id> [--dry-run]`);
    process.exit(2);
  }
  const app = initializeApp({ projectId: project });
  const db = values.database ? getFirestore(app, values.database) : getFirestore(app);
  return { db, dryRun: values["dry-run"] };
}

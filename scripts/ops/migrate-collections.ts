/**
 * `npm run migrate-collections -- --project <id> [--dry-run]`: moves Ringback's private
 * collections to their `ringback_` names (scripts/ops/migrateCollections.ts). Run it once,
 * right after deploying the version that uses them.
 */
import { adminCli } from "./adminCli.js";
import { migrateCollections } from "./migrateCollections.js";

const { db, dryRun } = adminCli("migrate-collections");
const counts = await migrateCollections(db, { dryRun, progress: (msg) => console.log(msg) });
for (const [move, c] of Object.entries(counts)) {
  console.log(
    `${move}: ${c.scanned} read, ${c.copied} copied, ${c.kept} already there, ${c.deleted} deleted, ` +
      `${c.foreign} not Ringback's (left alone)` +
      (dryRun ? " (dry run)" : ""),
  );
}

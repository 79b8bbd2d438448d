/**
 * `npm run backfill-shards -- --project <id> [--dry-run]`: gives the calls, outbox events and
 * push jobs written before the sharded indexes the `shard` their sweeps now query by
 * (scripts/ops/backfillShards.ts, SCALE.md "Existing deployments"). Run it once,
 * after deploying. Credentials are the usual Application Default Credentials
 * (`gcloud auth application-default login`); with FIRESTORE_EMULATOR_HOST set it works on
 * the emulator instead.
 */
import { backfillShards } from "./backfillShards.js";
import { adminCli } from "./adminCli.js";

const { db, dryRun } = adminCli("backfill-shards");
const counts = await backfillShards(db, {
  dryRun,
  progress: (msg) => console.log(msg),
});
for (const [collection, c] of Object.entries(counts)) {
  console.log(
    `${collection}: ${c.scanned} read, ${c.stale} without their shard, ${c.written} written` +
      (dryRun ? " (dry run)" : ""),
  );
}

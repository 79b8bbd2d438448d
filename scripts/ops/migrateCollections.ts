/**
 * The one-time move of Ringback's private collections to their `ringback_` names
 * (docs/deploy.md#upgrading-from-unprefixed-collections): `rate_limits`, `webhook_events`,
 * `push_jobs` and `push_tokens` become `ringback_rate_limits`, … so that they never meet an
 * app's collection of the same name. Run it right after deploying the code that uses the new
 * names: until then, pending callbacks and pushes in the old collections wait unsent.
 *
 * Like backfill-shards it pages each old collection by document id (an order Firestore
 * indexes whatever the field overrides), copies each row under the same id with `create`
 * (a row the new code has already written under that id is newer and wins), then deletes the
 * old row. Safe to run twice and beside live traffic; a dry run only counts. A row that does not
 * look like Ringback's (an app's own collection of the same old name) is left where it is.
 */
import { FieldPath, type Firestore } from "firebase-admin/firestore";
import {
  LEGACY_PRIVATE_COLLECTIONS,
  PRIVATE_COLLECTIONS,
} from "../../functions/src/model/collections.js";

export interface MigrationCount {
  /** Rows found under the old name. */
  scanned: number;
  /** Rows copied to the new name (0 in a dry run). */
  copied: number;
  /** Rows the new name already held (written by the new code since the deploy): kept as they are. */
  kept: number;
  /** Old rows deleted (0 in a dry run). */
  deleted: number;
  /** Rows that are not Ringback's (an app's own collection of that name): left alone. */
  foreign: number;
}

const ALREADY_EXISTS = 6;

/** The fields every row of each old collection has: a row without them is not Ringback's. */
const SIGNATURE: Record<keyof typeof PRIVATE_COLLECTIONS, readonly string[]> = {
  rateLimits: ["tokens", "updated_at"],
  webhookEvents: ["event_id", "event", "fields", "nonce"],
  pushJobs: ["job_id", "call_id", "uid", "type"],
  pushTokens: ["uid", "device_id"],
  ringLogs: ["rings"],
};

export async function migrateCollections(
  db: Firestore,
  opts: { dryRun?: boolean; pageSize?: number; progress?: (msg: string) => void } = {},
): Promise<Record<string, MigrationCount>> {
  const pageSize = opts.pageSize ?? 500;
  const out: Record<string, MigrationCount> = {};
  for (const key of Object.keys(PRIVATE_COLLECTIONS) as (keyof typeof PRIVATE_COLLECTIONS)[]) {
    const from = LEGACY_PRIVATE_COLLECTIONS[key];
    if (from === undefined) continue; // born with the prefix: nothing to move
    const to = PRIVATE_COLLECTIONS[key];
    const count: MigrationCount = { scanned: 0, copied: 0, kept: 0, deleted: 0, foreign: 0 };
    out[`${from} -> ${to}`] = count;
    const writer = db.bulkWriter();
    // ALREADY_EXISTS is an answer (the new row wins), not a failure to retry.
    writer.onWriteError((e) => e.code !== ALREADY_EXISTS && e.failedAttempts < 5);
    let after: string | undefined;
    for (;;) {
      let q = db.collection(from).orderBy(FieldPath.documentId()).limit(pageSize);
      if (after !== undefined) q = q.startAfter(after);
      const page = await q.get();
      count.scanned += page.size;
      const ours = page.docs.filter((doc) => SIGNATURE[key].every((f) => doc.get(f) !== undefined));
      count.foreign += page.size - ours.length;
      if (!opts.dryRun && ours.length > 0) {
        const copies = ours.map((doc) =>
          writer.create(db.collection(to).doc(doc.id), doc.data()).then(
            () => void count.copied++,
            (e: { code?: number }) => {
              if (e.code !== ALREADY_EXISTS) throw e;
              count.kept++;
            },
          ),
        );
        await writer.flush();
        await Promise.all(copies);
        // The old rows go only once their data is safe under the new name.
        const deletes = ours.map((doc) => writer.delete(doc.ref).then(() => void count.deleted++));
        await writer.flush();
        await Promise.all(deletes);
      }
      opts.progress?.(`${from}: ${count.scanned} read`);
      if (page.size < pageSize) break;
      after = page.docs[page.size - 1]?.id;
    }
    await writer.close();
  }
  return out;
}

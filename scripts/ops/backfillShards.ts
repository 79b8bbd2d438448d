/**
 * The one-time migration for deployments older than the sharded indexes (SCALE.md): calls,
 * outbox events and push jobs written before `shard` existed are invisible to the sweeps,
 * whose queries all begin with `shard`. This gives every row a sweep may still need the shard
 * its call id hashes to. Run it after deploying the sharded code (which writes `shard` on every
 * write from then on): `npm run backfill-shards -- --project <id>` (scripts/ops/backfill-shards.ts).
 * It also clears the `task_at` an ended call kept from before the sweep queried `task_at`
 * (the task that ended it had run): such a call would sort first in the sweep's due query
 * until the sweep settled it, ahead of the calls really due.
 *
 * It pages through each collection by document id, the one order Firestore indexes whatever
 * the field overrides, so it needs no index that the deployment may have exempted. It reads
 * every row once (only the fields it looks at) and writes only the rows that need it: safe to
 * run twice, and beside live traffic (it sets one field that every live write sets the same).
 */
import { FieldPath, type Firestore } from "firebase-admin/firestore";
import { collections } from "../../functions/src/adapters/store/firestore.js";
import { PUSH_JOBS } from "../../functions/src/channels/push/outbox.js";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { OUTBOX } from "../../functions/src/channels/webhooks/outbox.js";

export interface BackfillCount {
  /** Rows read. */
  scanned: number;
  /**
   * Rows a sweep may still need whose `shard` was missing or not their call id's, and ended
   * calls that still had a `task_at`.
   */
  stale: number;
  /** Rows updated (0 in a dry run; fewer than `stale` when a row was deleted meanwhile). */
  written: number;
}

/** Which rows a sweep still looks for: pending deadlines, or never-attempted deliveries. */
const targets = (db: Firestore) => [
  {
    collection: collections(db).names.calls,
    pending: ["next_deadline_at", "task_at"],
    calls: true,
  },
  { collection: OUTBOX, pending: ["unsent_since"], calls: false },
  { collection: PUSH_JOBS, pending: ["unsent_since"], calls: false },
];

/** What a row needs written: its shard, and for an ended call no `task_at`. */
function fix(id: string, d: Record<string, unknown>, pending: string[], calls: boolean) {
  const set = (v: unknown) => v !== undefined && v !== null;
  const update: { shard?: number; task_at?: null } = {};
  if (calls && d.state === "ended" && set(d.task_at)) update.task_at = null;
  else if (pending.some((f) => set(d[f]))) {
    // Calls are stored under their call id; outbox rows and jobs carry it.
    const shard = shardOf(typeof d.call_id === "string" ? d.call_id : id);
    if (d.shard !== shard) update.shard = shard;
  }
  return Object.keys(update).length ? update : null;
}

export async function backfillShards(
  db: Firestore,
  opts: { dryRun?: boolean; pageSize?: number; progress?: (msg: string) => void } = {},
): Promise<Record<string, BackfillCount>> {
  const pageSize = opts.pageSize ?? 500;
  const out: Record<string, BackfillCount> = {};
  for (const { collection, pending, calls } of targets(db)) {
    const count: BackfillCount = { scanned: 0, stale: 0, written: 0 };
    out[collection] = count;
    const writer = db.bulkWriter();
    // A row deleted since it was read (an expired outbox row) needs nothing: not an error.
    writer.onWriteError((e) => e.code !== 5 && e.failedAttempts < 5);
    const updates: Promise<unknown>[] = [];
    let after: string | undefined;
    for (;;) {
      let q = db
        .collection(collection)
        .select("call_id", "shard", ...pending, ...(calls ? ["state"] : []))
        .orderBy(FieldPath.documentId())
        .limit(pageSize);
      if (after !== undefined) q = q.startAfter(after);
      const page = await q.get();
      for (const doc of page.docs) {
        count.scanned++;
        const update = fix(doc.id, doc.data(), pending, calls);
        if (!update) continue;
        count.stale++;
        if (opts.dryRun) continue;
        updates.push(
          writer.update(doc.ref, update).then(
            () => count.written++,
            (e: { code?: number }) => {
              if (e.code !== 5) throw e;
            },
          ),
        );
      }
      opts.progress?.(`${collection}: ${count.scanned} read, ${count.stale} to write`);
      if (page.size < pageSize) break;
      after = page.docs[page.size - 1]?.id;
    }
    await writer.close();
    await Promise.all(updates);
  }
  return out;
}

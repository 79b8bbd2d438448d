/**
 * The backstop sweep (docs/protocol.md#timeouts): finds calls whose pending deadline task
 * should have run by now through the index on (`shard`, `task_at`) (never a scan of all
 * calls), the shards queried in groups side by side (store/shards.ts), and settles each in its
 * own transaction. It indexes `task_at`, not the exact earliest deadline `next_deadline_at`:
 * a call's task runs at or before its next deadline, and a heartbeat moves the deadline but
 * not the task, so heartbeats write no entry of a sharded index (SCALE.md). One call that
 * fails is logged, counted and backed off (docs/protocol.md#deadline-tasks-and-the-sweep); it
 * never stops the sweep.
 */
import {
  FieldValue,
  Timestamp,
  type CollectionReference,
  type DocumentReference,
  type Query,
  type QueryDocumentSnapshot,
} from "firebase-admin/firestore";
import { storedCall } from "../../model/documents.js";
import { settleCall } from "./runCommand.js";
import type { Ctx } from "../context.js";
import { collections } from "../store/firestore.js";
import { logs } from "../logs.js";
import { limited, semaphore, shardGroups } from "../store/shards.js";

export interface SweepCounts {
  examined: number;
  changed: number;
  /** Calls whose settle threw: logged and backed off, the others settled anyway. */
  failed: number;
  /** Live calls whose deadline task could not be enqueued: enqueued again. */
  rescheduled: number;
}

/** A failing call's deadline moves this far ahead, doubling per failure up to the cap. */
const BACKOFF_MS = 60_000;
const BACKOFF_CAP_MS = 3_600_000;

export const sweepBackoffMs = (failures: number): number =>
  Math.min(BACKOFF_CAP_MS, BACKOFF_MS * 2 ** Math.max(0, failures - 1));

/**
 * Moves a call that failed to settle out of the head of the queue: its `task_at` (what the
 * sweep queries) and `next_deadline_at` go ahead by a growing backoff and `sweep_failures`
 * counts the failures. Only if the doc is unchanged since the query (a command that settled
 * it meanwhile wins), and best effort.
 */
/** A call's stored failure count, parsed: a malformed one reads as none. */
const sweepFailures = storedCall.shape.sweep_failures.catch(undefined);

async function backOff(snap: QueryDocumentSnapshot, now: number): Promise<void> {
  const failures = (sweepFailures.parse(snap.get("sweep_failures")) ?? 0) + 1;
  const ref = snap.ref as DocumentReference;
  const later = Timestamp.fromMillis(now + sweepBackoffMs(failures));
  await ref
    .update(
      {
        task_at: later,
        next_deadline_at: later,
        sweep_failures: FieldValue.increment(1),
      },
      { lastUpdateTime: snap.updateTime },
    )
    .catch(() => undefined);
}

/**
 * One shard group's due calls: those whose task should have run, the oldest `task_at` at or
 * before `now` first, read from the shard-first index (store/shards.ts). A live call's task
 * runs at or before its next deadline, so every call with a deadline due is among them; so is
 * one whose task was lost or has not run yet while heartbeats moved its deadline on (settling
 * it enqueues its next task). Exported for the bench, which times it alone.
 */
export function dueQuery(
  calls: CollectionReference,
  shards: number[],
  now: number,
  pageSize: number,
): Query {
  return calls
    .where("shard", "in", shards)
    .where("task_at", "<=", Timestamp.fromMillis(now))
    .orderBy("task_at")
    .select("task_at", "next_deadline_at", "sweep_failures") // task_at: the page cursor's
    .limit(pageSize);
}

/** How many shard groups' queries are in flight at once (all of them: there are 3). */
const SHARD_QUERIES = 4;

/** Returns how many calls it examined, changed, and failed to settle. */
export async function sweepDue(
  ctx: Ctx,
  opts: { now?: number; pageSize?: number; budgetMs?: number; concurrency?: number } = {},
): Promise<SweepCounts> {
  const now = opts.now ?? Date.now();
  const pageSize = opts.pageSize ?? 200;
  const stopAt = Date.now() + (opts.budgetMs ?? 45_000);
  const counts: SweepCounts = { examined: 0, changed: 0, failed: 0, rescheduled: 0 };
  // At most `concurrency` settles at once over all shards.
  const settling = semaphore(opts.concurrency ?? 10);
  // A call with nothing due yet (its task lost or late, or never enqueued) only gets its task
  // enqueued again: `rescheduled`; one with a deadline due: `changed`.
  const dueBy = (snap: QueryDocumentSnapshot): boolean => {
    const next = snap.get("next_deadline_at") as unknown;
    return next instanceof Timestamp && next.toMillis() <= now;
  };
  const settleOne = (snap: QueryDocumentSnapshot): Promise<void> =>
    settling(async () => {
      try {
        if (await settleCall(ctx, snap.id)) counts[dueBy(snap) ? "changed" : "rescheduled"]++;
      } catch (e) {
        counts.failed++;
        logs.sweepFailed(snap.id, e);
        await backOff(snap, Date.now());
      }
    });
  const calls = collections(ctx.db).calls.withConverter(null);
  await limited(shardGroups(), SHARD_QUERIES, async (shards) => {
    let cursor: QueryDocumentSnapshot | undefined;
    while (Date.now() < stopAt) {
      let q = dueQuery(calls, shards, now, pageSize);
      if (cursor) q = q.startAfter(cursor);
      const page = await q.get();
      if (page.empty) break;
      cursor = page.docs[page.docs.length - 1];
      counts.examined += page.size;
      await Promise.all(page.docs.map((s) => settleOne(s)));
      if (page.size < pageSize) break;
    }
    // Live calls whose deadline task failed to enqueue (task_at cleared, see
    // channels/deadlines/carrier.ts): settling one finds it has no task and enqueues its next
    // deadline's. Live by `state`, which no heartbeat moves (not by `next_deadline_at`).
    const orphans = await calls
      .where("shard", "in", shards)
      .where("task_at", "==", null)
      .where("state", "!=", "ended")
      .select("next_deadline_at", "sweep_failures")
      .limit(pageSize)
      .get();
    await Promise.all(orphans.docs.map((s) => settleOne(s)));
  });
  return counts;
}

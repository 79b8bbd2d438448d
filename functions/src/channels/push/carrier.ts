/**
 * Offline push (docs/protocol.md#offline-push): each push job is a row of the push outbox,
 * written with the change; a change's jobs are sent from the request itself (inline.ts),
 * and by one task named after them as the retry, and backstopped by the sweep. A ring whose
 * devices the request already read is committed claimed by that inline send. An undelivered
 * enqueue needs no record: the rows stay unsent and the backstop takes them up.
 */
import { enqueueOnce } from "../../adapters/tasks/enqueue.js";
import type { Carrier } from "../channel.js";
import { resendUnsentPushes } from "./backstop.js";
import { PUSH_JOBS, pushJobDoc, pushTaskId } from "./outbox.js";
import { pushTaskOf } from "./queue.js";
import {
  claimable,
  claimedAtCommit,
  inlineBudgetMs,
  sendInline,
  TASK_AFTER_BUDGET_MS,
} from "./inline.js";

/** The payload of a push task: the push jobs of one change. */
export interface PushTask {
  job_ids: string[];
}

export const carrier: Carrier<"push"> = {
  outbox: (db, e, known) =>
    e.jobs.map((job) => {
      const devices = claimable(job, known);
      const doc = pushJobDoc(e.at, job, devices);
      if (devices) claimedAtCommit.set(job, doc);
      return [db.collection(PUSH_JOBS).doc(doc.job_id), doc];
    }),
  deliver: (_db, { at, jobs }) => {
    const { id, job_ids } = pushTaskId(jobs);
    // A change's jobs are all of one call: its shard picks the queue (queue.ts).
    const fn = pushTaskOf(jobs[0]?.call_id ?? "");
    // Due after the inline attempt's budget (inline.ts), as its retry: then it finds the jobs
    // done. A backstop's late enqueue (an old `at`) is due at once.
    const budget = inlineBudgetMs();
    const due = at + budget + TASK_AFTER_BUDGET_MS;
    const later = budget > 0 && due > Date.now() ? { scheduleTime: new Date(due) } : {};
    return enqueueOnce<PushTask>(fn, { job_ids }, { id, ...later });
  },
  inline: (db, e) => sendInline(db, e),
  backstop: resendUnsentPushes,
};

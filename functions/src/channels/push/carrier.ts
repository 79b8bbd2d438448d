/**
 * Offline push (docs/protocol.md#offline-push): each push job is a row of the push outbox,
 * written with the change; a change's jobs are sent together by one task named after them,
 * and backstopped by the sweep. An undelivered enqueue needs no record: the rows stay unsent
 * and the backstop takes them up.
 */
import { enqueueOnce } from "../../adapters/tasks/enqueue.js";
import type { Carrier } from "../channel.js";
import { resendUnsentPushes } from "./backstop.js";
import { PUSH_JOBS, pushJobDoc, pushTaskId } from "./outbox.js";
import { PUSH_TASK } from "./queue.js";

/** The payload of a push task: the push jobs of one change. */
export interface PushTask {
  job_ids: string[];
}

export const carrier: Carrier<"push"> = {
  outbox: (db, e) =>
    e.jobs.map((job) => {
      const doc = pushJobDoc(e.at, job);
      return [db.collection(PUSH_JOBS).doc(doc.job_id), doc];
    }),
  deliver: (_db, { jobs }) => {
    const { id, job_ids } = pushTaskId(jobs);
    return enqueueOnce<PushTask>(PUSH_TASK, { job_ids }, { id });
  },
  backstop: resendUnsentPushes,
};

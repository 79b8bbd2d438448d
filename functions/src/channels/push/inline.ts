/**
 * Inline push (docs/protocol.md#offline-push): the request that rings or stops ringing sends
 * the change's push jobs itself, right after the commit, within RINGBACK_PUSH_INLINE_BUDGET_MS,
 * so a ring does not wait for a task queue's dispatch. Each job is claimed with the outbox's
 * lease (delivery.ts), so it is never sent twice: the change's task, enqueued as before but
 * due after the budget, finds it done and does nothing, or takes over what the inline
 * attempt could not finish (a sender that failed, or answered too late, or an instance that
 * died: the job stays `unsent_since` until settled, for the sweep). Never throws for a push
 * failure: the command's answer is the command's.
 */
import type { Firestore } from "firebase-admin/firestore";
import type { EffectOf, Known } from "../channel.js";
import { clock, mark } from "../../adapters/timings.js";
import { PUSH_INLINE_BUDGET_MS } from "../../params.js";
import { deliverPush, sendClaimed, type Senders } from "./delivery.js";
import type { DeviceTokens } from "./messages.js";
import { pushJobId, type PushJobDoc } from "./outbox.js";
import type { PushJob } from "../../core/push.js";
import { inlineSenders } from "./settings.js";

/** The inline budget (ms); 0: tasks only. */
export const inlineBudgetMs = (): number => PUSH_INLINE_BUDGET_MS.value();

/**
 * The ring jobs this request's commit wrote already claimed for its inline send (outbox.ts
 * pushJobDoc), by job: that send needs no claim transaction and no read, so the push leaves
 * one round trip after the commit rather than three. Keyed by the committed attempt's own
 * job objects, so a transaction that ran again leaves nothing stale behind.
 */
export const claimedAtCommit = new WeakMap<PushJob, PushJobDoc>();

/**
 * The devices a job is committed claimed for, or undefined (an ordinary pending row): a ring
 * sent inline (a budget, ring senders in this function) whose user's devices the request read
 * before its transaction (adapters/calls/callees.ts). Only a user new to the call is rung,
 * once, so no cancel of this ring can exist yet, and its deadline is ahead: what the claim
 * would check holds.
 */
export function claimable(
  job: PushJob,
  known: Known | undefined,
): readonly DeviceTokens[] | undefined {
  const devices = known?.devices.get(job.uid);
  if (job.type !== "ring" || !devices || inlineBudgetMs() <= 0) return undefined;
  return inlineSenders().rings ? devices : undefined;
}

/** How long after the budget the change's task is due, so it normally finds its jobs done. */
export const TASK_AFTER_BUDGET_MS = 500;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends job `jobId` once; a job held by another attempt (a cancel whose ring is in flight)
 * is tried again shortly while the budget lasts. `retry` (a device failed for now) is left
 * to the task.
 */
async function attempt(db: Firestore, job: PushJob, senders: Senders, until: number) {
  const claimed = claimedAtCommit.get(job);
  if (claimed?.devices) {
    claimedAtCommit.delete(job);
    await sendClaimed(db, claimed, claimed.devices, senders, claimed.created_at.toMillis());
    return;
  }
  const jobId = pushJobId(job.call_id, job.uid, job.type);
  const inline = { type: job.type, uid: job.uid };
  for (let pause = 20; ; pause = Math.min(pause * 2, 160)) {
    const got = await deliverPush(db, jobId, senders, Date.now(), { inline });
    if (got !== "wait" || Date.now() + pause >= until) return;
    await sleep(pause);
  }
}

/** Sends the jobs of one change within the budget; an attempt still running goes on after it. */
export async function sendInline(
  db: Firestore,
  e: EffectOf<"push">,
  budgetMs = inlineBudgetMs(),
): Promise<void> {
  if (budgetMs <= 0 || e.jobs.length === 0) return;
  const t0 = clock();
  const { senders, rings } = inlineSenders();
  const until = Date.now() + budgetMs;
  const jobs = e.jobs.filter((j) => rings || j.type === "cancel");
  const all = Promise.all(jobs.map((j) => attempt(db, j, senders, until)));
  all.catch(() => undefined); // judged below, or moot once the budget is spent
  let timer: NodeJS.Timeout | undefined;
  const spent = new Promise<void>((r) => (timer = setTimeout(r, budgetMs)));
  try {
    await Promise.race([all, spent]);
  } finally {
    clearTimeout(timer);
    mark("push_inline", t0);
  }
}

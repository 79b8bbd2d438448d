/**
 * The task queues' enqueue side: deadline tasks (one per call and moment, named after both,
 * so a retried transaction or a second scheduler never enqueues it twice) and webhook
 * deliveries (one per callback event, named after it).
 */
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { getApps, initializeApp } from "firebase-admin/app";
import { getFunctions } from "firebase-admin/functions";
import type { EffectHandlers } from "./deliverEffects.js";
import { collections } from "../store/firestore.js";
import { pushTaskId } from "../push/outbox.js";
import { extensionId, kitPrefix, region } from "../deployment.js";

export const DEADLINE_TASK = "deadlineTask";
export const WEBHOOK_TASK = "webhookTask";
export const PUSH_TASK = "pushTask";

/** The payload of a deadline task. */
export interface DeadlineTask {
  call_id: string;
  at: number;
}

/** The payload of a push task: the push jobs of one change. */
export interface PushTask {
  job_ids: string[];
}

/** The payload of a webhook delivery task. */
export interface WebhookTask {
  event_id: string;
}

export const taskId = (callId: string, at: number): string => `${callId}-${at}`;

/**
 * How long one enqueue may take before it counts as failed. The admin SDK retries an
 * unavailable queue by itself for up to about 20 s, which would hold the command's answer;
 * an enqueue that still lands later is harmless (the task finds nothing, or what is due).
 */
const ENQUEUE_BUDGET_MS = 1500;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`enqueue took over ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const EMULATED_APP = "ringback-emulated-tasks";
const EMULATED_ACCOUNT = "emulated-service-acct@email.com";

/**
 * In the local emulator suite, tasks go to the runner's scheduled delivery
 * (scripts/standins/scheduledTasks.mjs): the tasks emulator ignores scheduleTime and retry configs.
 * There the tasks are enqueued through an app that names its service account: without one,
 * the admin SDK asks the (absent) metadata server for it on every enqueue, since it caches
 * only a success, and the deadline task that schedules the next one stays busy meanwhile.
 */
function queue<T extends object>(fn: string) {
  const name = `locations/${region()}/functions/${kitPrefix()}${fn}`; // kit: kit-<id>-<fn>
  const local = process.env.RINGBACK_SCHEDULED_TASKS;
  if (process.env.FUNCTIONS_EMULATOR === "true" && local) {
    process.env.CLOUD_TASKS_EMULATOR_HOST = local;
    const app =
      getApps().find((a) => a.name === EMULATED_APP) ??
      initializeApp(
        { projectId: process.env.GCLOUD_PROJECT, serviceAccountId: EMULATED_ACCOUNT },
        EMULATED_APP,
      );
    return getFunctions(app).taskQueue<T>(name, extensionId());
  }
  return getFunctions().taskQueue<T>(name, extensionId());
}

/** Enqueues a task named `id` within the budget; one of that name already enqueued will do. */
export async function enqueueOnce<T extends object>(
  fn: string,
  payload: T,
  opts: { id: string; scheduleTime?: Date },
): Promise<void> {
  try {
    const enqueued = queue<T>(fn).enqueue(payload, opts);
    enqueued.catch(() => undefined); // a late failure, after the budget, is moot
    await within(enqueued, ENQUEUE_BUDGET_MS);
  } catch (e) {
    if ((e as { code?: string }).code === "functions/task-already-exists") return;
    throw e;
  }
}

/**
 * The post-commit effects that enqueue and cancel tasks, and what records a deadline task that
 * could not be enqueued: the call's `task_at` is cleared (if it still names that task), so the
 * next command on the call, or the next sweep, enqueues it again at once. An undelivered
 * callback needs no record: its outbox row stays pending and the webhook backstop resends it.
 */
export function taskEffects(db: Firestore): EffectHandlers {
  return {
    schedule_deadline: ({ call_id, at }) =>
      enqueueOnce<DeadlineTask>(
        DEADLINE_TASK,
        { call_id, at },
        { scheduleTime: new Date(at), id: taskId(call_id, at) },
      ),
    async cancel_deadline({ call_id, at }) {
      await queue<DeadlineTask>(DEADLINE_TASK).delete(taskId(call_id, at)); // gone already: fine
    },
    callback: ({ event_id }) =>
      enqueueOnce<WebhookTask>(WEBHOOK_TASK, { event_id }, { id: event_id }),
    push: ({ jobs }) => {
      const { id, job_ids } = pushTaskId(jobs);
      return enqueueOnce<PushTask>(PUSH_TASK, { job_ids }, { id });
    },
    async undelivered(effect) {
      // A task left to run finds nothing; an outbox row left pending is resent by the sweep.
      if (effect.kind !== "schedule_deadline") return;
      const ref = collections(db).calls.withConverter(null).doc(effect.call_id);
      await db.runTransaction(async (tx) => {
        const taskAt = (await tx.get(ref)).get("task_at") as Timestamp | null | undefined;
        if (taskAt?.toMillis() === effect.at) tx.update(ref, { task_at: null });
      });
    },
  };
}

/**
 * The task queues' enqueue side, shared by the channels that deliver through a task function
 * (channels/<name>/carrier.ts): every task is named, so a retried transaction or a second
 * scheduler never enqueues it twice.
 */
import { getApps, initializeApp } from "firebase-admin/app";
import { getFunctions } from "firebase-admin/functions";
import { extensionId, kitPrefix, region } from "../deployment.js";

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
export function queue<T extends object>(fn: string) {
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

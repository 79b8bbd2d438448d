/**
 * Wires and exports the deployed functions; nothing else lives here. Loading this module
 * defines every function (its trigger and options, triggers.ts) but loads no handler: each
 * handler, with what it needs (zod, Firestore, Auth, task queues), loads on its function's
 * first request, so an instance starts about as fast as a one-callable module (BENCHMARKS.md,
 * cold start). callApi, the HTTP door, loads each command's handler on its first use too.
 */
import "./platform.js"; // first: global options and the admin app, before any function
import { onCall, onRequest, type CallableRequest } from "firebase-functions/v2/https";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { lazy } from "./lazy.js";
import { extensionId } from "./adapters/deployment.js";
import { channel } from "./channels/index.js";
import { httpDoorOptions, policySecrets, sweepSchedule } from "./triggers.js";

type Callable = (request: CallableRequest<unknown>) => Promise<unknown>;
const callable = (load: () => Promise<Callable>) => onCall(lazy(load));
/** A callable that may ask the policy hook, which signs with the webhook secrets. */
const signing = (load: () => Promise<Callable>) => onCall(policySecrets, lazy(load));
/**
 * A channel's task function, on its queue (channels/<name>/queue.ts); its handler loads lazily.
 * `copy` numbers the functions of a task deployed on several queues (`ChannelTask.fns`).
 */
const task = (name: string, copy = 0) => {
  const t = channel(name).task;
  if (!t || copy >= (t.fns?.length ?? 1)) throw new Error(`channel ${name} has no task ${copy}`);
  return onTaskDispatched(
    t.queue,
    lazy(() => t.load()),
  );
};

export const startCall = signing(async () => (await import("./functions/startCall.js")).startCall);
export const cancelCall = callable(
  async () => (await import("./functions/cancelCall.js")).cancelCall,
);
export const acceptCall = callable(
  async () => (await import("./functions/acceptCall.js")).acceptCall,
);
export const declineCall = callable(
  async () => (await import("./functions/declineCall.js")).declineCall,
);
export const endCall = callable(async () => (await import("./functions/endCall.js")).endCall);
export const heartbeat = callable(async () => (await import("./functions/heartbeat.js")).heartbeat);
export const inviteToCall = signing(
  async () => (await import("./functions/inviteToCall.js")).inviteToCall,
);
export const joinCall = callable(async () => (await import("./functions/joinCall.js")).joinCall);
export const quitCall = callable(async () => (await import("./functions/quitCall.js")).quitCall);
export const listCalls = callable(async () => (await import("./functions/listCalls.js")).listCalls);
export const ackCall = callable(async () => (await import("./functions/ackCall.js")).ackCall);
export const registerDevice = callable(
  async () => (await import("./functions/registerDevice.js")).registerDevice,
);
export const unregisterDevice = callable(
  async () => (await import("./functions/unregisterDevice.js")).unregisterDevice,
);
export const blockUser = callable(async () => (await import("./functions/blockUser.js")).blockUser);
export const unblockUser = callable(
  async () => (await import("./functions/unblockUser.js")).unblockUser,
);

const sweep = lazy(async () => (await import("./functions/sweepTimeouts.js")).sweepTimeouts);
/**
 * Installed as an extension, the sweep is a 1st-gen scheduled function (extension.yaml's
 * scheduleTrigger), the only kind of schedule an extension can declare; deployed as a
 * codebase, a 2nd-gen one.
 */
export const sweepTimeouts = extensionId()
  ? extensionSweep()
  : onSchedule(sweepSchedule, () => sweep());

/** Loaded only in an extension: the 1st-gen SDK adds most of a second to every cold start. */
function extensionSweep() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const v1 = require("firebase-functions/v1") as typeof import("firebase-functions/v1");
  return v1.pubsub.schedule(sweepSchedule.schedule).onRun(() => sweep());
}

// The channels' task functions (channels/index.ts; packaging.test.ts checks they are all here).
export const deadlineTask = task("deadlines");
// The other deadline queues (channels/deadlines/queue.ts: a call's shard picks its queue).
export const deadlineTask1 = task("deadlines", 1);
export const deadlineTask2 = task("deadlines", 2);
export const deadlineTask3 = task("deadlines", 3);
export const deadlineTask4 = task("deadlines", 4);
export const deadlineTask5 = task("deadlines", 5);
export const deadlineTask6 = task("deadlines", 6);
export const deadlineTask7 = task("deadlines", 7);
export const webhookTask = task("webhooks");
// The other webhook queues (channels/webhooks/queue.ts: a call's shard picks its queue).
export const webhookTask1 = task("webhooks", 1);
export const webhookTask2 = task("webhooks", 2);
export const webhookTask3 = task("webhooks", 3);
export const webhookTask4 = task("webhooks", 4);
export const webhookTask5 = task("webhooks", 5);
export const webhookTask6 = task("webhooks", 6);
export const webhookTask7 = task("webhooks", 7);
export const pushTask = task("push");
// The other push queues (channels/push/queue.ts: a call's shard picks its queue).
export const pushTask1 = task("push", 1);
export const pushTask2 = task("push", 2);
export const pushTask3 = task("push", 3);
export const pushTask4 = task("push", 4);
export const pushTask5 = task("push", 5);
export const pushTask6 = task("push", 6);
export const pushTask7 = task("push", 7);
export const callApi = onRequest(
  httpDoorOptions,
  lazy(async () => (await import("./functions/callApi.js")).callApi),
);

import { defineInt } from "firebase-functions/params";

// Capacity (SCALE.md#configured-for-load): how far the functions and the task queues may scale.
// The defaults suit up to about 1,000 call starts a second; SCALE.md computes what a given
// load needs.

export const MAX_INSTANCES = defineInt("RINGBACK_MAX_INSTANCES", {
  default: 100,
  description: "Most instances of each function (a cost ceiling; SCALE.md: what a load needs).",
});

export const MIN_INSTANCES = defineInt("RINGBACK_MIN_INSTANCES", {
  default: 0,
  description: "Instances of each function kept warm (billed while idle): 1+ avoids cold starts.",
});

export const CONCURRENCY = defineInt("RINGBACK_CONCURRENCY", {
  default: 80,
  description:
    "Requests one instance serves at once (Cloud Run concurrency; the functions wait on " +
    "Firestore, not the CPU, so many fit; 1 CPU each).",
});

export const MEMORY_MIB = defineInt("RINGBACK_MEMORY_MIB", {
  default: 256,
  description: "Memory of each instance in MiB: 256, 512, 1024, 2048 or 4096 (1 CPU up to 2048).",
});

export const DEADLINE_QUEUE_RATE = defineInt("RINGBACK_DEADLINE_QUEUE_RATE", {
  default: 500,
  description:
    "Deadline tasks dispatched a second, at most (Cloud Tasks allows at most 500 a queue).",
});

export const DEADLINE_QUEUE_CONCURRENCY = defineInt("RINGBACK_DEADLINE_QUEUE_CONCURRENCY", {
  default: 1000,
  description: "Deadline tasks running at once, at most (Cloud Tasks allows at most 5,000).",
});

// The webhook and push queues' limits hold for each of their RINGBACK_*_QUEUES queues
// (channels/queues.ts), as a Cloud Tasks queue's limits do: the totals are N times these.

export const WEBHOOK_QUEUE_RATE = defineInt("RINGBACK_WEBHOOK_QUEUE_RATE", {
  default: 500,
  description:
    "Callback deliveries dispatched a second by each webhook queue, at most (at most 500 a queue).",
});

// 25 a queue: at the default 4 queues the app's receiver bears the 100 in flight it bore
// when there was one queue.
export const WEBHOOK_QUEUE_CONCURRENCY = defineInt("RINGBACK_WEBHOOK_QUEUE_CONCURRENCY", {
  default: 25,
  description:
    "Callback deliveries in flight at once on each webhook queue, at most (at most 5,000): " +
    "the app's receiver bears RINGBACK_WEBHOOK_QUEUES times this.",
});

export const PUSH_QUEUE_RATE = defineInt("RINGBACK_PUSH_QUEUE_RATE", {
  default: 500,
  description:
    "Push tasks (one a change) dispatched a second by each push queue, at most (at most 500 a queue).",
});

export const PUSH_QUEUE_CONCURRENCY = defineInt("RINGBACK_PUSH_QUEUE_CONCURRENCY", {
  default: 500,
  description:
    "Push tasks in flight at once on each push queue, at most (Cloud Tasks allows at most 5,000).",
});

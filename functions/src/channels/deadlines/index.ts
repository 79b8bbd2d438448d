/**
 * Deadline tasks: the `schedule_deadline` and `cancel_deadline` effects (core/schedule.ts,
 * decided in core/draft.ts `finish`), always on; backstopped by the sweep's own query.
 */
import { defineChannel } from "../channel.js";
import { DEADLINE_QUEUE_CONCURRENCY, DEADLINE_QUEUE_RATE } from "../../params.js";
import { DEADLINE_QUEUES } from "./params.js";
import {
  DEADLINE_TASK,
  DEADLINE_TASKS,
  deadlineQueue,
  EARLY_ENQUEUE_MIN_LEAD_MS,
} from "./queue.js";

export const deadlines = defineChannel({
  name: "deadlines",
  effects: ["schedule_deadline", "cancel_deadline"],
  on: () => true,
  deployed: () => true,
  // A task named after the call and the moment may be enqueued before its commit lands: one
  // due sooner could run before the commit and miss what it was for, so it waits.
  early: (e, now) => e.kind === "schedule_deadline" && e.at - now >= EARLY_ENQUEUE_MIN_LEAD_MS,
  task: {
    fn: DEADLINE_TASK,
    fns: DEADLINE_TASKS, // one a queue: spread by call shard (queue.ts)
    queue: deadlineQueue,
    load: async () => (await import("./task.js")).deadlineTask,
  },
  params: [DEADLINE_QUEUES, DEADLINE_QUEUE_RATE, DEADLINE_QUEUE_CONCURRENCY],
  load: async () => (await import("./carrier.js")).carrier,
});

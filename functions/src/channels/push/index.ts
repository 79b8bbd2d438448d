/**
 * Offline push: the `push` effect (core/push.ts, derived in core/derivations.ts), on
 * unless RINGBACK_PUSH_ENABLED is false.
 */
import { defineChannel } from "../channel.js";
import {
  APNS_BUNDLE_ID,
  APNS_HOST,
  APNS_KEY,
  APNS_KEY_ID,
  APNS_TEAM_ID,
  MAX_DEVICES,
  PUSH_ENABLED,
  PUSH_INLINE_BUDGET_MS,
  PUSH_QUEUE_CONCURRENCY,
  PUSH_QUEUE_RATE,
} from "../../params.js";
import { PUSH_TASK, PUSH_TASKS, pushQueue } from "./queue.js";
import { PUSH_QUEUES } from "./params.js";

export const push = defineChannel({
  name: "push",
  effects: ["push"],
  // `push` is the switch's older name, kept for the contexts tests build.
  on: (ctx) => ctx.push ?? ctx.channels?.push ?? false,
  deployed: () => PUSH_ENABLED.value(),
  usesDevices: true,
  task: {
    fn: PUSH_TASK,
    fns: PUSH_TASKS, // one a queue: spread by call shard (queue.ts)
    queue: pushQueue,
    load: async () => (await import("./task.js")).pushTask,
  },
  params: [
    PUSH_QUEUES,
    PUSH_ENABLED,
    PUSH_INLINE_BUDGET_MS,
    MAX_DEVICES,
    APNS_BUNDLE_ID,
    APNS_KEY_ID,
    APNS_TEAM_ID,
    APNS_HOST,
    APNS_KEY,
    PUSH_QUEUE_RATE,
    PUSH_QUEUE_CONCURRENCY,
  ],
  load: async () => (await import("./carrier.js")).carrier,
});

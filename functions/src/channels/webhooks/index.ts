/**
 * Webhooks: the `callback` effect (core/callbacks.ts, derived in core/derivations.ts), on
 * when RINGBACK_WEBHOOK_URL is set.
 */
import { defineChannel } from "../channel.js";
import {
  APP_ID,
  WEBHOOK_QUEUE_CONCURRENCY,
  WEBHOOK_QUEUE_RATE,
  WEBHOOK_SECRET,
  WEBHOOK_SECRET_PREVIOUS,
  WEBHOOK_URL,
} from "../../params.js";
import { WEBHOOK_TASK, WEBHOOK_TASKS, webhookQueue } from "./queue.js";
import { WEBHOOK_QUEUES } from "./params.js";
import { webhookSettings } from "./settings.js";

export const webhooks = defineChannel({
  name: "webhooks",
  effects: ["callback"],
  // `outbox` is the switch's older name, kept for the contexts tests build.
  on: (ctx) => ctx.outbox ?? ctx.channels?.webhooks ?? false,
  deployed: () => webhookSettings().enabled,
  task: {
    fn: WEBHOOK_TASK,
    fns: WEBHOOK_TASKS, // one a queue: spread by call shard (queue.ts)
    queue: webhookQueue,
    load: async () => (await import("./task.js")).webhookTask,
  },
  params: [
    WEBHOOK_QUEUES,
    WEBHOOK_URL,
    APP_ID,
    WEBHOOK_SECRET,
    WEBHOOK_SECRET_PREVIOUS,
    WEBHOOK_QUEUE_RATE,
    WEBHOOK_QUEUE_CONCURRENCY,
  ],
  load: async () => (await import("./carrier.js")).carrier,
});

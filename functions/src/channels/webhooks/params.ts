/** The webhook channel's queue count (channels/queues.ts; SCALE.md). */
import { defineInt } from "firebase-functions/params";
import { MAX_QUEUES } from "../queues.js";

export const WEBHOOK_QUEUES = defineInt("RINGBACK_WEBHOOK_QUEUES", {
  default: 4,
  description:
    `Webhook queues the calls are spread over, by call shard (1 to ${MAX_QUEUES}; the queue ` +
    "rate and concurrency params hold for each queue: the receiver bears their sum; SCALE.md).",
});

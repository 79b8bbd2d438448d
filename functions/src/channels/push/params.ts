/** The push channel's queue count (channels/queues.ts; SCALE.md). Its other params: params/push.ts. */
import { defineInt } from "firebase-functions/params";
import { MAX_QUEUES } from "../queues.js";

export const PUSH_QUEUES = defineInt("RINGBACK_PUSH_QUEUES", {
  default: 4,
  description:
    `Push queues the calls are spread over, by call shard (1 to ${MAX_QUEUES}; the queue ` +
    "rate and concurrency params hold for each queue; SCALE.md).",
});

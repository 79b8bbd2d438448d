/** The deadline channel's own param (SCALE.md#the-first-limit-hit-is-the-deadline-queue). */
import { defineInt } from "firebase-functions/params";
import { MAX_QUEUES } from "../queues.js";

/**
 * How many deadline queues exist: every deploy defines this many task functions
 * (`deadlineTask`, `deadlineTask1`, …), since a param cannot change how many functions a
 * codebase exports; RINGBACK_DEADLINE_QUEUES picks how many of them calls are spread over.
 */
export const MAX_DEADLINE_QUEUES = MAX_QUEUES;

export const DEADLINE_QUEUES = defineInt("RINGBACK_DEADLINE_QUEUES", {
  default: 4,
  description:
    `Deadline queues the calls are spread over, by call shard (1 to ${MAX_DEADLINE_QUEUES}; ` +
    "each dispatches up to RINGBACK_DEADLINE_QUEUE_RATE tasks a second; SCALE.md).",
});

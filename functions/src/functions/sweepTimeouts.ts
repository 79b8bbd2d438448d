import { onSchedule } from "firebase-functions/v2/scheduler";
import { context } from "../adapters/config.js";
import { logs } from "../adapters/logs.js";
import { sweepDue } from "../adapters/sweep.js";

/** The backstop: every minute, settle every call with a deadline in the past. */
export const sweepTimeouts = onSchedule(
  { schedule: "every 1 minutes", timeoutSeconds: 60 },
  async () => {
    const counts = await sweepDue(context());
    if (counts.examined > 0) logs.sweep(counts);
  },
);

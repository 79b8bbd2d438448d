import { logger } from "firebase-functions";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { sweepDue } from "../adapters/calls.js";
import { context } from "../adapters/config.js";

/** The backstop: every minute, settle every call with a deadline in the past. */
export const sweepTimeouts = onSchedule(
  { schedule: "every 1 minutes", region: "us-central1", timeoutSeconds: 60 },
  async () => {
    const { examined, changed } = await sweepDue(context());
    if (examined > 0) logger.info("sweepTimeouts", { examined, changed });
  },
);

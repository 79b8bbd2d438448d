import { onSchedule } from "firebase-functions/v2/scheduler";
import { context } from "../adapters/config.js";
import { logs } from "../adapters/logs.js";
import { sweepDue } from "../adapters/sweep.js";
import { resendUnsentPushes } from "../adapters/pushBackstop.js";
import { resendUnsent } from "../adapters/webhookBackstop.js";
import { extensionId } from "../platform.js";

async function sweep(): Promise<void> {
  const ctx = context();
  const [counts, resent, pushes] = await Promise.all([
    sweepDue(ctx),
    resendUnsent(ctx),
    resendUnsentPushes(ctx),
  ]);
  if (counts.examined > 0 || resent > 0 || pushes > 0) logs.sweep({ ...counts, resent, pushes });
}

/**
 * The backstop: every minute, settle every call with a deadline in the past, and enqueue
 * again the callback events and push jobs whose delivery was never enqueued. Installed as an extension it
 * is a 1st-gen scheduled function (extension.yaml's scheduleTrigger), the only kind of
 * schedule an extension can declare; deployed as a codebase, a 2nd-gen one.
 */
export const sweepTimeouts = extensionId()
  ? extensionSweep()
  : onSchedule({ schedule: "every 1 minutes", timeoutSeconds: 60 }, sweep);

/** Loaded only in an extension: the 1st-gen SDK adds most of a second to every cold start. */
function extensionSweep() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const v1 = require("firebase-functions/v1") as typeof import("firebase-functions/v1");
  return v1.pubsub.schedule("every 1 minutes").onRun(sweep);
}

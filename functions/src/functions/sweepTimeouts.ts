import { deployedContext } from "../adapters/deployedContext.js";
import { logs } from "../adapters/logs.js";
import { sweepDue } from "../adapters/calls/sweep.js";
import { resendUnsentPushes } from "../adapters/push/backstop.js";
import { resendUnsent } from "../adapters/webhooks/backstop.js";

/**
 * The backstop, every minute (triggers.ts, index.ts): settle every call with a deadline in the
 * past, and enqueue again the callback events and push jobs whose delivery was never enqueued.
 */
export async function sweepTimeouts(): Promise<void> {
  const ctx = deployedContext();
  const [counts, resent, pushes] = await Promise.all([
    sweepDue(ctx),
    resendUnsent(ctx),
    resendUnsentPushes(ctx),
  ]);
  if (counts.examined > 0 || resent > 0 || pushes > 0) logs.sweep({ ...counts, resent, pushes });
}

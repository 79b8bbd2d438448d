import type { Request } from "firebase-functions/v2/tasks";
import { z } from "zod";
import { settleCall } from "../../adapters/calls/runCommand.js";
import { deployedContext } from "../../adapters/deployedContext.js";
import { timed } from "../../adapters/timings.js";
import { logs } from "../../adapters/logs.js";
import { callIdSchema } from "../../model/commands.js";

const payload = z.object({ call_id: callIdSchema, at: z.number() });

/** Cloud Tasks may dispatch a little early: up to this, the task waits for its moment. */
const EARLY_MS = 1000;

/**
 * Applies a call's deadlines at the moment they fall due: the same transaction as the
 * sweep's, so a task that runs late, twice or out of order changes nothing once the state
 * has moved on; and it schedules the call's next deadline task if one is needed. Its queue's
 * options are in triggers.ts.
 */
export async function deadlineTask(req: Request<unknown>): Promise<void> {
  const parsed = payload.safeParse(req.data);
  if (!parsed.success) return logs.malformedTask(req.data); // never retry what cannot succeed
  const { call_id, at } = parsed.data;
  const early = at - Date.now();
  if (early > EARLY_MS) throw new Error(`deadline task for ${call_id} ran ${early} ms early`);
  if (early > 0) await new Promise((r) => setTimeout(r, early));
  const started = Date.now();
  const { timings } = await timed(() => settleCall(deployedContext(), call_id));
  // The bench tells the queue's and the emulator's delay from Ringback's own work by these.
  if (timings) {
    logs.benchDeadlineTask({
      call_id,
      at,
      started_late_ms: started - at,
      retry: req.retryCount,
      ...timings,
    });
  }
}

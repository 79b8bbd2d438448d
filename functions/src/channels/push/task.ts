import type { Request } from "firebase-functions/v2/tasks";
import { z } from "zod";
import { firestore } from "../../adapters/store/firestore.js";
import { logs } from "../../adapters/logs.js";
import { deliverPush } from "./delivery.js";
import { pushSenders } from "./settings.js";
import { APNS_KEY } from "../../params.js";

const payload = z.object({ job_ids: z.array(z.string().min(1).max(400)).min(1).max(200) });

/**
 * Sends the push jobs of one change (a ring or a cancel to each user's devices), side by side.
 * An attempt with devices that failed for now, or a cancel waiting for its ring to finish,
 * throws so the queue runs it again 1, 2, 4, 8 s later: the jobs already done are skipped,
 * and a ring never goes after its deadline (docs/protocol.md#offline-push). Its queue's
 * options are in triggers.ts.
 */
export async function pushTask(req: Request<unknown>): Promise<void> {
  const parsed = payload.safeParse(req.data);
  if (!parsed.success) return logs.malformedTask(req.data); // never retry what cannot succeed
  const senders = pushSenders(APNS_KEY.value());
  const ids = parsed.data.job_ids;
  const outcomes = await Promise.all(ids.map((id) => deliverPush(firestore(), id, senders)));
  const again = ids.filter((_, i) => outcomes[i] === "retry" || outcomes[i] === "wait");
  if (again.length > 0) {
    logs.pushRetry(again, req.retryCount + 1);
    throw new Error(`push jobs ${again.join(", ")}: to run again; the queue retries`);
  }
}

import type { Request } from "firebase-functions/v2/tasks";
import { z } from "zod";
import { firestore } from "../../adapters/store/firestore.js";
import { logs } from "../../adapters/logs.js";
import { deliverOnce } from "./delivery.js";
import { previousSecrets, requireSecret, webhookSettings } from "./settings.js";
import { WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS } from "../../params.js";
import { WEBHOOK_MAX_ATTEMPTS as MAX_ATTEMPTS } from "./queue.js";

const payload = z.object({ event_id: z.string().min(1).max(300) });

/** Delivers one callback event from the outbox; a failed attempt throws so the queue retries. */
export async function webhookTask(req: Request<unknown>): Promise<void> {
  const parsed = payload.safeParse(req.data);
  if (!parsed.success) return logs.malformedTask(req.data); // never retry what cannot succeed
  const settings = {
    ...webhookSettings(),
    previousSecrets: previousSecrets(WEBHOOK_SECRET_PREVIOUS.value()),
  };
  if (!settings.enabled) return logs.webhooksOff(parsed.data.event_id);
  const secret = requireSecret(settings, WEBHOOK_SECRET.value());
  const n = req.retryCount + 1;
  const outcome = await deliverOnce(firestore(), parsed.data.event_id, settings, secret, {
    n,
    last: n >= MAX_ATTEMPTS,
  });
  if (outcome === "retry") {
    throw new Error(`webhook ${parsed.data.event_id}: attempt ${n} failed; the queue retries`);
  }
  if (outcome === "failed") logs.webhookGaveUp(parsed.data.event_id, n);
}

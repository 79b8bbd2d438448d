import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { z } from "zod";
import { firestore } from "../adapters/firestore.js";
import { logs } from "../adapters/logs.js";
import { deliverOnce } from "../adapters/webhookDelivery.js";
import { requireSecret, webhookSettings } from "../adapters/webhookSettings.js";
import { WEBHOOK_QUEUE_CONCURRENCY, WEBHOOK_QUEUE_RATE, WEBHOOK_SECRET } from "../params.js";

const payload = z.object({ event_id: z.string().min(1).max(300) });

/** Seed 002's schedule: retries 2, 4, 8, 16 and 32 s after the previous attempt. */
const MAX_ATTEMPTS = 6;

/** Delivers one callback event from the outbox; a failed attempt throws so the queue retries. */
export const webhookTask = onTaskDispatched(
  {
    retryConfig: {
      maxAttempts: MAX_ATTEMPTS,
      minBackoffSeconds: 2,
      maxBackoffSeconds: 32,
      maxDoublings: 4,
    },
    // The queue's own limits (params, SCALE.md): what the receiver must bear.
    rateLimits: {
      maxDispatchesPerSecond: WEBHOOK_QUEUE_RATE,
      maxConcurrentDispatches: WEBHOOK_QUEUE_CONCURRENCY,
    },
    secrets: [WEBHOOK_SECRET],
  },
  async (req) => {
    const parsed = payload.safeParse(req.data);
    if (!parsed.success) return logs.malformedTask(req.data); // never retry what cannot succeed
    const settings = webhookSettings();
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
  },
);

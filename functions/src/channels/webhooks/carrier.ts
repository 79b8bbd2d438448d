/**
 * Webhooks (docs/protocol.md#server-to-server-callbacks): each callback event is a row of
 * the webhook outbox, written with the change, then delivered by its own task (named after
 * the event) and backstopped by the sweep. An undelivered enqueue needs no record: the row
 * stays unsent and the backstop takes it up.
 */
import { enqueueOnce } from "../../adapters/tasks/enqueue.js";
import type { Carrier } from "../channel.js";
import { resendUnsent } from "./backstop.js";
import { OUTBOX, outboxDoc } from "./outbox.js";
import { webhookTaskOf } from "./queue.js";

/** The payload of a webhook delivery task. */
export interface WebhookTask {
  event_id: string;
}

export const carrier: Carrier<"callback"> = {
  outbox: (db, e) => [[db.collection(OUTBOX).doc(e.event_id), outboxDoc(e)]],
  // On the queue of the event's call (queue.ts).
  deliver: (_db, { event_id, event }) =>
    enqueueOnce<WebhookTask>(webhookTaskOf(event.call_id), { event_id }, { id: event_id }),
  backstop: resendUnsent,
};

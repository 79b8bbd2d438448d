/**
 * The webhook outbox's backstop, run by the sweep: an event whose delivery task was never
 * enqueued (the function died after the commit, or Cloud Tasks refused the enqueue) still has
 * `unsent_since` set a while later; it is enqueued again under its own name, so an event
 * whose task merely waits in the queue is not enqueued twice.
 */
import type { CallbackEvent } from "../../core/callbacks.js";
import type { Ctx } from "../../adapters/context.js";
import { collections } from "../../adapters/store/firestore.js";
import { resendRows } from "../outbox.js";
import { webhooks } from "./index.js";
import { outboxDocSchema, type OutboxDoc } from "./outbox.js";

/** How long an event may wait for its first attempt before the sweep enqueues it again. */
export const UNSENT_GRACE_MS = 30_000;

export function resendUnsent(
  ctx: Ctx,
  opts: { now?: number; limit?: number } = {},
): Promise<number> {
  return resendRows<OutboxDoc>(
    ctx,
    webhooks,
    collections(ctx.db).webhookEvents,
    outboxDocSchema,
    UNSENT_GRACE_MS,
    (d) => ({
      kind: "callback",
      event_id: d.event_id,
      seq: d.seq,
      at: d.created_at.toMillis(),
      event: { event: d.event, call_id: d.call_id, fields: d.fields } as CallbackEvent,
    }),
    opts,
  );
}

/**
 * The outbox's backstop, run by the sweep: an event whose delivery task was never enqueued
 * (the function died after the commit, or Cloud Tasks refused the enqueue) still has
 * `unsent_since` set a while later; it is enqueued again under its own name, so an event
 * whose task merely waits in the queue is not enqueued twice.
 */
import type { CallbackEvent } from "../../core/callbacks.js";
import type { Ctx } from "../context.js";
import { deliverEffects } from "../tasks/deliverEffects.js";
import { collections } from "../store/firestore.js";
import { unsentSince } from "../store/unsent.js";
import type { OutboxDoc } from "./outbox.js";

/** How long an event may wait for its first attempt before the sweep enqueues it again. */
export const UNSENT_GRACE_MS = 30_000;

export async function resendUnsent(
  ctx: Ctx,
  opts: { now?: number; limit?: number } = {},
): Promise<number> {
  if (!ctx.outbox) return 0;
  const now = opts.now ?? Date.now();
  const docs = await unsentSince<OutboxDoc>(
    collections(ctx.db).webhookEvents,
    now - UNSENT_GRACE_MS,
    opts.limit ?? 200,
  );
  await deliverEffects(
    ctx.effects,
    docs.map((d) => ({
      kind: "callback" as const,
      event_id: d.event_id,
      seq: d.seq,
      at: d.created_at.toMillis(),
      event: { event: d.event, call_id: d.call_id, fields: d.fields } as CallbackEvent,
    })),
  );
  return docs.length;
}

/**
 * The outbox's backstop, run by the sweep: an event whose delivery task was never enqueued
 * (the function died after the commit, or Cloud Tasks refused the enqueue) still has
 * `unsent_since` set a while later; it is enqueued again under its own name, so an event
 * whose task merely waits in the queue is not enqueued twice.
 */
import { Timestamp } from "firebase-admin/firestore";
import type { CallbackEvent } from "../core/callbacks.js";
import type { Ctx } from "./context.js";
import { deliverEffects } from "./effects.js";
import { collections } from "./firestore.js";
import { shardGroups } from "./shards.js";
import type { OutboxDoc } from "./webhookOutbox.js";

/** How long an event may wait for its first attempt before the sweep enqueues it again. */
export const UNSENT_GRACE_MS = 30_000;

export async function resendUnsent(
  ctx: Ctx,
  opts: { now?: number; limit?: number } = {},
): Promise<number> {
  if (!ctx.outbox) return 0;
  const now = opts.now ?? Date.now();
  const events = collections(ctx.db).webhookEvents;
  // Every shard group's oldest unsent events, side by side (shards.ts): `unsent_since` grows with
  // time, so its index begins with the shard to spread the writes.
  const pages = await Promise.all(
    shardGroups().map((shards) =>
      events
        .where("shard", "in", shards)
        .where("unsent_since", "<=", Timestamp.fromMillis(now - UNSENT_GRACE_MS))
        .orderBy("unsent_since")
        .limit(opts.limit ?? 200)
        .get(),
    ),
  );
  const docs = pages.flatMap((p) => p.docs.map((s) => s.data() as OutboxDoc));
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

/**
 * The push outbox's backstop, run by the sweep: a job whose task was never enqueued (the
 * function died after the commit, or Cloud Tasks refused the enqueue) still has
 * `unsent_since` set a while later; it is enqueued again under its own name. A ring found
 * after its deadline is marked expired by its task, never sent.
 */
import type { Ctx } from "../context.js";
import { deliverEffects } from "../tasks/deliverEffects.js";
import { collections } from "../store/firestore.js";
import type { PushJobDoc } from "./outbox.js";
import { unsentSince } from "../store/unsent.js";

/** How long a job may wait for its first attempt before the sweep enqueues it again. */
export const PUSH_UNSENT_GRACE_MS = 15_000;

export async function resendUnsentPushes(
  ctx: Ctx,
  opts: { now?: number; limit?: number } = {},
): Promise<number> {
  if (!ctx.push) return 0;
  const now = opts.now ?? Date.now();
  const docs = await unsentSince<PushJobDoc>(
    collections(ctx.db).pushJobs,
    now - PUSH_UNSENT_GRACE_MS,
    opts.limit ?? 200,
  );
  await deliverEffects(
    ctx.effects,
    docs.map((d) => ({ kind: "push" as const, at: d.created_at.toMillis(), jobs: [d.job] })),
  );
  return docs.length;
}

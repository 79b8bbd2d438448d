/**
 * The push outbox's backstop, run by the sweep: a job whose task was never enqueued (the
 * function died after the commit, or Cloud Tasks refused the enqueue) still has
 * `unsent_since` set a while later; it is enqueued again under its own name. A ring found
 * after its deadline is marked expired by its task, never sent.
 */
import type { Ctx } from "../../adapters/context.js";
import { collections } from "../../adapters/store/firestore.js";
import { resendRows } from "../outbox.js";
import { push } from "./index.js";
import { pushJobDocSchema, type PushJobDoc } from "./outbox.js";

/** How long a job may wait for its first attempt before the sweep enqueues it again. */
export const PUSH_UNSENT_GRACE_MS = 15_000;

export function resendUnsentPushes(
  ctx: Ctx,
  opts: { now?: number; limit?: number } = {},
): Promise<number> {
  return resendRows<PushJobDoc>(
    ctx,
    push,
    collections(ctx.db).pushJobs,
    pushJobDocSchema,
    PUSH_UNSENT_GRACE_MS,
    (d) => ({ kind: "push", at: d.created_at.toMillis(), jobs: [d.job] }),
    opts,
  );
}

/**
 * The backstop sweep (docs/protocol.md#timeouts): finds calls whose earliest deadline has
 * passed through the indexed `next_deadline_at` field (never a scan of all calls) and settles
 * each in its own transaction.
 */
import { Timestamp, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { settleCall } from "./commands.js";
import type { Ctx } from "./context.js";

/** Returns how many calls it examined and how many it changed. */
export async function sweepDue(
  ctx: Ctx,
  opts: { now?: number; pageSize?: number; budgetMs?: number; concurrency?: number } = {},
): Promise<{ examined: number; changed: number }> {
  const now = opts.now ?? Date.now();
  const pageSize = opts.pageSize ?? 200;
  const concurrency = opts.concurrency ?? 10;
  const stopAt = Date.now() + (opts.budgetMs ?? 45_000);
  let examined = 0;
  let changed = 0;
  let cursor: QueryDocumentSnapshot | undefined;
  while (Date.now() < stopAt) {
    let q = ctx.db
      .collection("calls")
      .where("next_deadline_at", "<=", Timestamp.fromMillis(now))
      .orderBy("next_deadline_at")
      .select("next_deadline_at")
      .limit(pageSize);
    if (cursor) q = q.startAfter(cursor);
    const page = await q.get();
    if (page.empty) break;
    cursor = page.docs[page.docs.length - 1];
    const ids = page.docs.map((s) => s.id);
    examined += ids.length;
    for (let i = 0; i < ids.length; i += concurrency) {
      const results = await Promise.all(
        ids.slice(i, i + concurrency).map((id) => settleCall(ctx, id)),
      );
      changed += results.filter(Boolean).length;
    }
    if (page.size < pageSize) break;
  }
  return { examined, changed };
}

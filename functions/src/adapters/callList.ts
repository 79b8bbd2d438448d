/** listCalls' query: the calls a user is in, newest first, a page at a time. */
import { FieldPath, Timestamp } from "firebase-admin/firestore";
import { Draft } from "../core/draft.js";
import { applyDue } from "../core/timeouts.js";
import type { Call } from "../core/types.js";
import type { Ctx } from "./context.js";
import { collections } from "./firestore.js";

/** Where a page of listCalls ends: the last call's creation time and id. */
export interface ListCursor {
  created_at: number;
  call_id: string;
}

/**
 * The calls `uid` is in, newest first (creation time, then id, both descending), `count` a
 * page. Paging by the last call's (created_at, id) never repeats or skips a call while new
 * calls arrive: they sort before every cursor. Overdue timeouts are applied to each entry
 * as shown (the sweep or the next command writes the same result).
 */
export async function listCalls(
  ctx: Ctx,
  uid: string,
  count: number,
  after?: ListCursor,
): Promise<{ calls: Call[]; next: ListCursor | null }> {
  let q = collections(ctx.db)
    .calls.where("user_ids", "array-contains", uid)
    .orderBy("created_at", "desc")
    .orderBy(FieldPath.documentId(), "desc")
    .limit(count + 1);
  if (after) q = q.startAfter(Timestamp.fromMillis(after.created_at), after.call_id);
  const snap = await q.get();
  const now = Date.now();
  const calls = snap.docs.slice(0, count).map((doc) => {
    const d = new Draft(doc.data(), now, ctx.cfg);
    applyDue(d);
    return d.call;
  });
  const last = calls[calls.length - 1];
  return {
    calls,
    next: snap.size > count && last ? { created_at: last.created_at, call_id: last.call_id } : null,
  };
}

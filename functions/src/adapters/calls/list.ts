/** listCalls' query: the calls a user is in, newest first, a page at a time. */
import { FieldPath, Timestamp, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import { Draft } from "../../core/draft.js";
import { applyDue } from "../../core/timeouts.js";
import type { Call } from "../../core/types.js";
import type { Ctx } from "../context.js";
import { UnreadableDocument } from "../../model/documents.js";
import { collections } from "../store/firestore.js";
import { logs } from "../logs.js";

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
  const page = snap.docs.slice(0, count);
  const calls: Call[] = [];
  for (const doc of page) {
    const call = readable(doc);
    if (!call) continue;
    const d = new Draft(call, now, ctx.cfg);
    applyDue(d);
    calls.push(d.call);
  }
  // The cursor is the page's last document, shown or not, so a skipped one is never read again.
  const last = page[page.length - 1];
  const lastAt: unknown = last?.get("created_at");
  return {
    calls,
    next:
      snap.size > count && last && lastAt instanceof Timestamp
        ? { created_at: lastAt.toMillis(), call_id: last.id }
        : null,
  };
}

/** A call of the page, or undefined (logged) when it does not parse: one bad call hides no others. */
function readable(doc: QueryDocumentSnapshot<Call>): Call | undefined {
  try {
    const call = doc.data();
    // Invitees left out of `user_ids` (undelivered: docs/protocol.md#who-may-ring-whom) are
    // still in the call for everyone who can list it: shown, and timed out like the rest.
    const rest = Object.keys(call.users).filter((uid) => !call.user_ids.includes(uid));
    return rest.length ? { ...call, user_ids: [...call.user_ids, ...rest] } : call;
  } catch (e) {
    if (!(e instanceof UnreadableDocument)) throw e;
    logs.unreadableDocument(e);
    return undefined;
  }
}

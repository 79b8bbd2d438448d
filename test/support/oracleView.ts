/**
 * The stress oracle's view of the database (test/support/oracle.ts): every call, user doc and
 * notification, read in one read-only transaction, in the reference model's terms; and the
 * read that waits until no live call's deadline is overdue.
 */
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { canonicalBody, noteKey, type MDoc } from "./referenceModel.js";
import { names } from "./names.js";

export interface ViewUser {
  state: string;
  decline_type?: number;
  deadline_at?: number;
  heartbeat_at?: number;
}
export interface ViewCall {
  state: string;
  end_reason: string | null;
  mode: string;
  timeout: number;
  caller: string;
  user_ids: string[];
  users: Record<string, ViewUser>;
  next_deadline_at: number | null;
}
/** What the database holds, in the model's terms. */
export interface View {
  calls: Record<string, ViewCall>;
  docs: Record<string, MDoc>;
  /** Every notification, as canonical keys with counts. */
  notes: Record<string, number>;
  readStart: number;
  readEnd: number;
}

const ms = (t: unknown): number | undefined =>
  t instanceof Timestamp ? t.toMillis() : typeof t === "number" ? t : undefined;

/** Reads the database once (one read-only transaction). */
async function readOnce(db: Firestore): Promise<View> {
  const readStart = Date.now();
  const [calls, users, notes] = await db.runTransaction(
    (tx) =>
      Promise.all([
        tx.get(db.collection(names.calls)),
        tx.get(db.collection(names.users)),
        tx.get(db.collectionGroup("notifications")),
      ]),
    { readOnly: true },
  );
  const readEnd = Date.now();
  const view: View = { calls: {}, docs: {}, notes: {}, readStart, readEnd };
  for (const d of calls.docs) {
    const c = d.data();
    const us: Record<string, ViewUser> = {};
    for (const [id, u] of Object.entries(c.users as Record<string, Record<string, unknown>>)) {
      us[id] = {
        state: String(u.state),
        ...(u.decline_type !== undefined ? { decline_type: Number(u.decline_type) } : {}),
        ...(u.deadline_at !== undefined ? { deadline_at: ms(u.deadline_at) } : {}),
        ...(u.heartbeat_at !== undefined ? { heartbeat_at: ms(u.heartbeat_at) } : {}),
      };
    }
    view.calls[d.id] = {
      state: String(c.state),
      end_reason: (c.end_reason as string | undefined) ?? null,
      mode: String(c.mode),
      timeout: Number(c.timeout),
      caller: String((c.caller as { id: string }).id),
      user_ids: c.user_ids as string[],
      users: us,
      next_deadline_at: ms(c.next_deadline_at) ?? null,
    };
  }
  for (const d of users.docs) {
    const u = d.data();
    view.docs[d.id] = {
      status: u.status as MDoc["status"],
      call_id: (u.call_id as string | null) ?? null,
    };
  }
  for (const n of notes.docs) {
    const d = n.data();
    const to = n.ref.parent.parent?.id ?? "?";
    const path = String(d.path);
    const k = noteKey(to, String(d.call_id), path, canonicalBody(path, d.body ?? {}));
    view.notes[k] = (view.notes[k] ?? 0) + 1;
  }
  return view;
}

/**
 * Reads the database once no deadline of a live call is overdue (a deadline task may still be
 * on its way when a step ends): then it has applied exactly the deadlines up to the read. A
 * deadline still overdue after `waitMs` gets the backstop, `nudge` (the sweep), once.
 */
export async function readView(
  db: Firestore,
  nudge?: () => Promise<void>,
  waitMs = 5_000,
): Promise<{ view: View; nudged: boolean }> {
  let until = Date.now() + waitMs;
  let nudged = false;
  for (;;) {
    const v = await readOnce(db);
    const overdue = Object.values(v.calls).some(
      (c) =>
        c.state !== "ended" && c.next_deadline_at !== null && c.next_deadline_at <= v.readStart,
    );
    if (!overdue) return { view: v, nudged };
    if (Date.now() > until) {
      if (nudged || !nudge) return { view: v, nudged };
      await nudge();
      nudged = true;
      until = Date.now() + 2 * waitMs;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

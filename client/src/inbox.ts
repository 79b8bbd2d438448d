/**
 * Exactly-once, in-order delivery of notification docs. Pure: it sees batches of docs as
 * listeners report them and says which to deliver, in which order.
 *
 * - The first snapshot of a session is history (what happened before sign-in) and is not
 *   delivered, except what `keep` picks (the invitation that is ringing right now).
 * - Every doc is delivered at most once per session, by id, whatever a listener re-reports
 *   after a resubscription or a reconnect.
 * - Within a batch, a call's events go in `seq` order; calls in the order they began.
 * - After a listener error, `resumeAfter()` tells the new listener where to start reading:
 *   a little before the newest doc seen, since deadline events are dated at their deadline
 *   and may land slightly in the past. The ids seen make the overlap harmless.
 */
import type { NotificationDoc } from "./types.js";

/** How far before the newest doc seen a resubscription starts reading. */
export const RESUME_OVERLAP_MS = 10 * 60_000;

export class Inbox {
  private readonly seen = new Set<string>();
  private primed = false;
  private newest: number | null = null;

  get isPrimed(): boolean {
    return this.primed;
  }

  /** The first snapshot of the session: marks it all seen; returns what `keep` picks, ordered. */
  prime(docs: NotificationDoc[], keep: (n: NotificationDoc) => boolean): NotificationDoc[] {
    this.primed = true;
    for (const d of docs) this.mark(d);
    return order(docs.filter(keep));
  }

  /** A later batch (also a new listener's first snapshot): the docs not delivered yet, ordered. */
  take(docs: NotificationDoc[]): NotificationDoc[] {
    const fresh: NotificationDoc[] = [];
    for (const d of docs) {
      if (this.seen.has(d.id)) continue;
      this.mark(d);
      fresh.push(d);
    }
    return order(fresh);
  }

  /** Where a new listener should start (epoch ms), or null to read everything kept. */
  resumeAfter(): number | null {
    return this.newest === null ? null : this.newest - RESUME_OVERLAP_MS;
  }

  private mark(d: NotificationDoc): void {
    this.seen.add(d.id);
    if (this.newest === null || d.created_at > this.newest) this.newest = d.created_at;
  }
}

/** Calls in the order of their earliest doc (then by id), each call's docs by `seq`. */
export function order(docs: NotificationDoc[]): NotificationDoc[] {
  const first = new Map<string, number>();
  for (const d of docs) {
    const f = first.get(d.call_id);
    if (f === undefined || d.created_at < f) first.set(d.call_id, d.created_at);
  }
  return [...docs].sort(
    (a, b) =>
      (first.get(a.call_id) ?? 0) - (first.get(b.call_id) ?? 0) ||
      (a.call_id < b.call_id ? -1 : a.call_id > b.call_id ? 1 : 0) ||
      a.seq - b.seq,
  );
}

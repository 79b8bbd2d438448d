/**
 * The invariants of Ringback, checked over the whole database (admin SDK) after every step
 * of a stress run. Each returns human-readable violations; an empty list means all hold.
 *
 *  1. No user is busy (calling, ringing, in a call) in more than one live call.
 *  2. Every users/{uid} doc agrees with the calls: status and call_id of the one live call
 *     that makes the user busy, or idle (or no doc) when none does.
 *  3. Every ended call has end_reason and ended_at; a live one has neither.
 *  4. No non-terminal user state (inviting, received, not_yet_received, accepted) remains in
 *     an ended call.
 *  5. User states only move along seed 003's transitions (against the previous snapshot).
 *  6. Notifications: no event twice (same call, path, body and seq); at most one invitation
 *     per user and call; every seq in a user's channel for a call is distinct.
 *  7. Every live invitation's deadline is in the future (allowing `graceMs` for the deadline
 *     task to run), and next_deadline_at is what the core computes.
 */
import type { Firestore } from "firebase-admin/firestore";
import { callConverter } from "../../functions/src/adapters/firestore.js";
import { nextDeadline, statusIn } from "../../functions/src/core/machine.js";
import { canMove } from "../../functions/src/core/transitions.js";
import { isPending, type Call, type UserState } from "../../functions/src/core/types.js";

export interface Snapshot {
  calls: Map<string, Call>;
  at: number;
}

const CFG = { heartbeatIntervalS: 20, heartbeatTimeoutMs: 60_000 };

/** Whether `to` can be reached from `from` along seed 003's transitions (in any steps). */
function reachable(from: UserState, to: UserState): boolean {
  if (from === to) return true;
  const seen = new Set<UserState>([from]);
  const queue: UserState[] = [from];
  while (queue.length) {
    const s = queue.shift() as UserState;
    for (const n of [
      "inviting",
      "received",
      "not_yet_received",
      "accepted",
      "rejected",
      "canceled",
      "timeout",
      "quit",
    ] as UserState[]) {
      if (!seen.has(n) && canMove(s, n)) {
        if (n === to) return true;
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return false;
}

export async function checkInvariants(
  db: Firestore,
  previous?: Snapshot,
  graceMs = 3000,
): Promise<{ violations: string[]; snapshot: Snapshot }> {
  const now = Date.now();
  const v: string[] = [];
  const [callSnaps, userSnaps, noteSnaps] = await Promise.all([
    db.collection("calls").withConverter(callConverter).get(),
    db.collection("users").get(),
    db.collectionGroup("notifications").get(),
  ]);
  const calls = new Map(callSnaps.docs.map((d) => [d.id, d.data()]));

  // 1 and 2
  const busyIn = new Map<string, Call[]>();
  for (const call of calls.values()) {
    for (const uid of call.user_ids) {
      if (statusIn(call, uid) !== "idle") busyIn.set(uid, [...(busyIn.get(uid) ?? []), call]);
    }
  }
  for (const [uid, cs] of busyIn) {
    if (cs.length > 1)
      v.push(`1: ${uid} is busy in ${cs.length} calls: ${cs.map((c) => c.call_id).join(", ")}`);
  }
  const docs = new Map(userSnaps.docs.map((d) => [d.id, d.data()]));
  for (const uid of new Set([...busyIn.keys(), ...docs.keys()])) {
    const call = busyIn.get(uid)?.[0];
    const doc = docs.get(uid);
    const status = doc?.status ?? "idle";
    if (call) {
      const want = statusIn(call, uid);
      if (status !== want || doc?.call_id !== call.call_id) {
        v.push(
          `2: users/${uid} says ${status} in ${String(doc?.call_id)}, the calls say ${want} in ${call.call_id}`,
        );
      }
    } else if (status !== "idle") {
      v.push(
        `2: users/${uid} says ${status} in ${String(doc?.call_id)}, but no live call holds them`,
      );
    }
  }

  for (const call of calls.values()) {
    const ended = call.state === "ended";
    // 3
    if (ended && (!call.end_reason || call.ended_at === undefined)) {
      v.push(`3: ended call ${call.call_id} lacks end_reason or ended_at`);
    }
    if (!ended && (call.end_reason || call.ended_at !== undefined)) {
      v.push(`3: live call ${call.call_id} has an end_reason or ended_at`);
    }
    for (const u of Object.values(call.users)) {
      // 4
      if (ended && (isPending(u.state) || u.state === "accepted")) {
        v.push(`4: ${u.id} is still ${u.state} in ended call ${call.call_id}`);
      }
      // 5
      const before = previous?.calls.get(call.call_id)?.users[u.id]?.state;
      if (before && !reachable(before, u.state)) {
        v.push(`5: ${u.id} moved ${before} -> ${u.state} in ${call.call_id}`);
      }
      // 7
      if (!ended && isPending(u.state) && (u.deadline_at ?? 0) <= now - graceMs) {
        v.push(
          `7: ${u.id}'s invitation to ${call.call_id} is ${now - (u.deadline_at ?? 0)} ms overdue`,
        );
      }
    }
    if (!ended) {
      const want = nextDeadline(call, CFG);
      if (want !== call.next_deadline_at) {
        v.push(`7: ${call.call_id} next_deadline_at ${call.next_deadline_at} is not ${want}`);
      }
    } else if (call.next_deadline_at !== null) {
      v.push(`7: ended call ${call.call_id} still has next_deadline_at`);
    }
  }

  // 6
  const seenEvent = new Set<string>();
  const seenSeq = new Set<string>();
  const invitations = new Map<string, number>();
  for (const n of noteSnaps.docs) {
    const uid = n.ref.parent.parent?.id ?? "?";
    const d = n.data();
    const event = JSON.stringify([uid, d.call_id, d.path, d.body, d.seq]);
    if (seenEvent.has(event)) v.push(`6: ${uid} got ${d.path} for ${d.call_id} twice`);
    seenEvent.add(event);
    const seq = `${uid} ${d.call_id} ${d.seq}`;
    if (seenSeq.has(seq))
      v.push(`6: ${uid} has two notifications with seq ${d.seq} for ${d.call_id}`);
    seenSeq.add(seq);
    if (d.path === "/call/notify_call_invited") {
      const k = `${uid} ${d.call_id}`;
      invitations.set(k, (invitations.get(k) ?? 0) + 1);
      if ((invitations.get(k) ?? 0) > 1) v.push(`6: ${uid} was invited to ${d.call_id} twice`);
    }
  }
  return { violations: v, snapshot: { calls, at: now } };
}

/**
 * The invariants of Ringback, checked over the whole database (admin SDK) after every step
 * of a stress run. Each returns human-readable violations; an empty list means all hold.
 *
 *  1. No user is busy (calling, ringing, in a call) in more than one live call.
 *  2. Every users/{uid} doc agrees with the calls: status and call_id of the one live call
 *     that makes the user busy, or idle (or no doc) when none does.
 *  3. Every ended call has end_reason and ended_at; a live one has neither. An ongoing call
 *     has connected_at, a ringing one none; a call that connected never ends with an
 *     outcome of the unanswered (canceled, declined, busy, no_answer), one that never did does.
 *  4. No non-terminal user state (inviting, received, not_yet_received, accepted) remains in
 *     an ended call.
 *  5. User states only move along the transitions table (against the previous snapshot).
 *  6. Notifications: no event twice (same call, path, body and seq); at most one invitation
 *     per user and call; every seq in a user's channel for a call is distinct; nobody outside
 *     a call hears of it. Every state change a user should hear of was told to them exactly
 *     once (see `heard` below): a user who was in the audience all through the step has been
 *     told every other user's new state, and no user is told the same state of someone twice
 *     in a row; an invitee still ringing holds exactly one invitation; an invitee left
 *     canceled heard exactly one notify_call_canceled or notify_call_end, one left timed out
 *     exactly one notify_invitation_timeout if no device of theirs had the invitation, else
 *     none. An undelivered invitee (in `users`, not in the shared `user_ids`) hears nothing.
 *  7. Every live invitation's deadline is in the future (allowing `graceMs` for the deadline
 *     task to run), and next_deadline_at is what the core computes.
 */
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { callConverter } from "../../functions/src/adapters/store/firestore.js";
import { NOTIFICATION_PATHS } from "../../functions/src/core/notifications.js";
import type { Call, UserState } from "../../functions/src/core/types.js";
import {
  earliestDeadline,
  mayMove,
  ringing as isPending,
  statusOf as statusIn,
  STATES,
} from "./reference.js";
import { names } from "./names.js";
import { HEARTBEAT } from "./heartbeat.js";

export interface Snapshot {
  calls: Map<string, Call>;
  at: number;
}

const HEARTBEAT_TIMEOUT_MS = HEARTBEAT.timeoutMs;

/** Whether `to` can be reached from `from` along the transitions table (in any steps). */
function reachable(from: UserState, to: UserState): boolean {
  if (from === to) return true;
  const seen = new Set<UserState>([from]);
  const queue: UserState[] = [from];
  while (queue.length) {
    const s = queue.shift() as UserState;
    for (const n of STATES) {
      if (!seen.has(n) && mayMove(s, n)) {
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
  // One read-only transaction: a consistent snapshot of all three, even while a deadline
  // task commits in the middle of the check.
  const [callSnaps, userSnaps, noteSnaps] = await db.runTransaction(
    (tx) =>
      Promise.all([
        tx.get(db.collection(names.calls).withConverter(callConverter)),
        tx.get(db.collection(names.users)),
        tx.get(db.collectionGroup("notifications")),
      ]),
    { readOnly: true },
  );
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
    const connected = call.connected_at !== undefined;
    if (call.state !== "ended" && connected !== (call.state === "ongoing")) {
      v.push(`3: ${call.state} call ${call.call_id} ${connected ? "has" : "lacks"} connected_at`);
    }
    if (connected && call.ended_at !== undefined && call.ended_at < (call.connected_at ?? 0)) {
      v.push(`3: call ${call.call_id} ended before it connected`);
    }
    const outcome = ["canceled", "declined", "busy", "no_answer"].includes(call.end_reason ?? "");
    const talked = ["completed", "heartbeat_timeout"].includes(call.end_reason ?? "");
    if (ended && ((connected && outcome) || (!connected && talked))) {
      v.push(
        `3: call ${call.call_id} ended ${call.end_reason ?? "-"} with connected_at ${connected}`,
      );
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
      const want = earliestDeadline(call, HEARTBEAT_TIMEOUT_MS);
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
  v.push(...heard(calls, noteSnaps.docs.map(toNote), previous));
  return { violations: v, snapshot: { calls, at: now } };
}

interface Note {
  to: string;
  path: string;
  call_id: string;
  seq: number;
  at: number;
  body: Record<string, unknown>;
}

function toNote(n: FirebaseFirestore.QueryDocumentSnapshot): Note {
  const d = n.data();
  return {
    to: n.ref.parent.parent?.id ?? "?",
    path: String(d.path),
    call_id: String(d.call_id),
    seq: Number(d.seq),
    at: d.created_at instanceof Timestamp ? d.created_at.toMillis() : Number.NaN,
    body: (d.body ?? {}) as Record<string, unknown>,
  };
}

/** The notification catalogue's paths: names from the code, never its logic. */
const PATHS: ReadonlySet<string> = new Set(NOTIFICATION_PATHS);

/** Who a notify_user_state_changed tells of, with the state it tells. */
function told(n: Note): { id: string; state: string }[] {
  if (n.path !== "/call/notify_user_state_changed") return [];
  return ((n.body.users ?? []) as { id: string; state: string }[]).map((u) => ({
    id: u.id,
    state: u.state,
  }));
}

/**
 * Where a user's continuous stay in a call's audience (the state-change audience: Inviting,
 * Received, NotYetReceived, Accepted) began, as far as their channel shows: their invitation,
 * or the latest notify_user_state_changed telling them they are accepted (an accept, or a
 * joinCall after they left). A user only re-enters the audience by joinCall, which tells
 * them so, so since that point they were in it all along. Undefined: since the call began.
 */
function entryOf(uid: string, channel: Note[]): Note | undefined {
  return channel.filter((n) => isEntry(uid, n)).pop();
}

function isEntry(uid: string, n: Note): boolean {
  return (
    n.path === "/call/notify_call_invited" ||
    told(n).some((u) => u.id === uid && u.state === "accepted")
  );
}

/**
 * Invariant 6, completeness and uniqueness: every state change a user should hear of
 * produced exactly one notification of the right path in that user's channel.
 */
function heard(calls: Map<string, Call>, notes: Note[], previous?: Snapshot): string[] {
  const v: string[] = [];
  const channels = new Map<string, Note[]>(); // "<uid> <call_id>" -> notes in seq order
  for (const n of notes) {
    const call = calls.get(n.call_id);
    if (!PATHS.has(n.path)) v.push(`6: ${n.to} got an unknown path ${n.path}`);
    if (n.body.call_id !== n.call_id)
      v.push(`6: ${n.to} got ${n.path} whose body names another call`);
    if (!call?.users[n.to]) {
      v.push(`6: ${n.to} got ${n.path} for ${n.call_id}, a call they are not in`);
      continue;
    }
    const k = `${n.to} ${n.call_id}`;
    channels.set(k, [...(channels.get(k) ?? []), n]);
  }
  for (const ch of channels.values()) ch.sort((a, b) => a.seq - b.seq);

  for (const call of calls.values()) {
    const before = previous?.calls.get(call.call_id);
    for (const x of Object.values(call.users)) {
      const ch = channels.get(`${x.id} ${call.call_id}`) ?? [];
      const count = (...paths: string[]) => ch.filter((n) => paths.includes(n.path)).length;
      // An undelivered invitee (they blocked the inviter; the shared user_ids leaves them
      // out: docs/protocol.md#who-may-ring-whom) is told nothing at all.
      if (!call.user_ids.includes(x.id)) {
        const got = ch.map((n) => n.path).join(", ");
        if (got) v.push(`6: ${x.id}, undelivered in ${call.call_id}, was told ${got}`);
        continue;
      }
      // Told once: the same state of someone twice in a row, with no re-entry between, is a
      // change told twice (a user's state never moves to itself; the only moves a user in the
      // audience is not told of are those that end the call, after which nothing is told).
      const last = new Map<string, string>();
      for (const n of ch) {
        if (isEntry(x.id, n)) last.clear();
        for (const u of told(n)) {
          if (last.get(u.id) === u.state) {
            v.push(`6: ${x.id} was told twice that ${u.id} is ${u.state} in ${call.call_id}`);
          }
          last.set(u.id, u.state);
        }
      }
      // The invitation of someone still ringing, and how an invitee's ringing ended.
      if (isPending(x.state) && count("/call/notify_call_invited") !== 1) {
        v.push(
          `6: ${x.id} rings in ${call.call_id} with ${count("/call/notify_call_invited")} invitations`,
        );
      }
      if (x.state === "canceled") {
        const n = count("/call/notify_call_canceled", "/call/notify_call_end");
        if (n !== 1) v.push(`6: ${x.id} was canceled in ${call.call_id} and told so ${n} times`);
      }
      if (x.state === "timeout") {
        // Told only if no device of theirs had the invitation (still Inviting when it timed
        // out); an invitee who had it (told they were Received or NotYetReceived) is not.
        const had = ch.some((m) =>
          told(m).some(
            (u) => u.id === x.id && (u.state === "received" || u.state === "not_yet_received"),
          ),
        );
        const n = count("/call/notify_invitation_timeout");
        if (n !== (had ? 0 : 1)) {
          v.push(`6: ${x.id} timed out in ${call.call_id} and was told so ${n} times`);
        }
      }
      // At most once, whatever happened: a call is answered, declined and timed out once per
      // invitee (an invitee never rings twice), and ends once.
      const per = new Map<string, number>();
      for (const n of ch) {
        const about =
          n.path === "/call/notify_call_accept" || n.path === "/call/notify_call_decline"
            ? [String(n.body.callee_id)]
            : n.path === "/call/notify_invitees_answered_timeout"
              ? ((n.body.invitees ?? []) as string[])
              : n.path === "/call/notify_call_end" ||
                  n.path === "/call/notify_call_canceled" ||
                  n.path === "/call/notify_invitation_timeout"
                ? [""]
                : [];
        for (const id of about) {
          const k = `${n.path} ${id}`;
          per.set(k, (per.get(k) ?? 0) + 1);
          if (per.get(k) === 2) v.push(`6: ${x.id} got ${k} twice for ${call.call_id}`);
        }
      }
      // Told every change: a user in the audience now, and all through the step (in the
      // call before it, their entry before it), has been told everyone's new state.
      const audience = (s: UserState | undefined) =>
        !!s && (isPending(s) || s === "accepted" || s === "quit");
      if (!previous || !before || call.state === "ended") continue;
      if (!audience(x.state) || !audience(before.users[x.id]?.state)) continue;
      const entry = entryOf(x.id, ch);
      if (entry && entry.at >= previous.at) continue;
      for (const u of Object.values(call.users)) {
        if (before.users[u.id]?.state === u.state) continue;
        let latest: string | undefined;
        for (const n of ch) for (const t of told(n)) if (t.id === u.id) latest = t.state;
        if (latest !== u.state) {
          v.push(
            `6: ${x.id} was not told that ${u.id} is now ${u.state} in ${call.call_id} (last told: ${latest ?? "nothing"})`,
          );
        }
        // ...and by the answer's own path, to the inviter and accepted users (x accepted
        // all through): a decline, an invitation timeout, and in common mode (where nobody
        // joins or quits) an accept and a heartbeat timeout.
        const was = before.users[u.id]?.state;
        if (x.state !== "accepted" || u.id === x.id || !was) continue;
        const path =
          isPending(was) && u.state === "rejected"
            ? "/call/notify_call_decline"
            : isPending(was) && u.state === "timeout"
              ? "/call/notify_invitees_answered_timeout"
              : call.mode === "common" && isPending(was) && u.state === "accepted"
                ? "/call/notify_call_accept"
                : call.mode === "common" && was === "accepted" && u.state === "quit"
                  ? "/call/notify_timeout"
                  : undefined;
        if (!path) continue;
        const got = ch.filter(
          (n) =>
            n.path === path &&
            (n.body.callee_id === u.id ||
              n.body.id === u.id ||
              ((n.body.invitees ?? []) as string[]).includes(u.id)),
        ).length;
        if (got !== 1) {
          v.push(`6: ${x.id} got ${path} for ${u.id} in ${call.call_id} ${got} times, not once`);
        }
      }
    }
  }
  return v;
}

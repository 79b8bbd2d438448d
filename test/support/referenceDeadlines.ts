/**
 * The reference model's deadlines (test/support/referenceModel.ts): the earliest pending one
 * of a live call, applying it, and the stress run's time jump.
 */
import { Change } from "./referenceChange.js";
import { isRinging, LIMITS, type MCall, type MState, type MUser } from "./referenceState.js";

/** A deadline of a live call (docs/protocol.md#timeouts); on a tie: receipt, invite, heartbeat. */
export interface Due {
  call_id: string;
  at: number;
  kind: "receipt" | "invite" | "heartbeat";
}
const KIND_ORDER = { receipt: 0, invite: 1, heartbeat: 2 } as const;

/** The earliest pending deadline of a call, or undefined (ended, or nothing pending). */
export function nextDue(c: MCall): Due | undefined {
  if (c.state === "ended") return undefined;
  let best: Due | undefined;
  const consider = (at: number | undefined, kind: Due["kind"]) => {
    if (at === undefined) return;
    if (!best || at < best.at || (at === best.at && KIND_ORDER[kind] < KIND_ORDER[best.kind])) {
      best = { call_id: c.call_id, at, kind };
    }
  };
  for (const id of c.user_ids) {
    const u = c.users[id] as MUser;
    if (u.state === "inviting") consider(u.receipt_deadline_at, "receipt");
    if (isRinging(u.state)) consider(u.deadline_at, "invite");
    if (u.state === "accepted" && u.heartbeat_at !== undefined) {
      consider(u.heartbeat_at + LIMITS.heartbeatTimeoutMs, "heartbeat");
    }
  }
  return best;
}

/** Applies the earliest pending deadline of call `callId` (see `nextDue`). */
export function fire(s: MState, callId: string): Due | undefined {
  const c = s.calls[callId];
  if (!c) return undefined;
  const due = nextDue(c);
  if (!due) return undefined;
  const ch = new Change(s, c);
  const at = due.at;
  if (due.kind === "receipt") {
    const ids = c.user_ids.filter(
      (id) => c.users[id]?.state === "inviting" && c.users[id]?.receipt_deadline_at === at,
    );
    for (const id of ids) ch.user(id).state = "not_yet_received";
    ch.tell(ids);
  } else if (due.kind === "invite") {
    const ids = c.user_ids.filter(
      (id) => isRinging((c.users[id] as MUser).state) && c.users[id]?.deadline_at === at,
    );
    for (const id of ids) {
      const u = ch.user(id);
      if (u.state === "inviting") ch.notify(id, "/call/notify_invitation_timeout", {});
      u.state = "timeout";
    }
    for (const to of ch.accepted) {
      ch.notify(to, "/call/notify_invitees_answered_timeout", { invitees: ids });
    }
    ch.tell(ids);
    ch.settle("no_answer", at);
  } else {
    const id = c.user_ids.find(
      (x) =>
        c.users[x]?.state === "accepted" &&
        (c.users[x]?.heartbeat_at ?? Number.NaN) + LIMITS.heartbeatTimeoutMs === at,
    ) as string;
    if (id === c.caller && c.state === "ringing") {
      ch.end("caller_offline", at);
    } else {
      ch.user(id).state = "quit";
      for (const to of ch.accepted) ch.notify(to, "/call/notify_timeout", { id });
      ch.tell([id]);
      ch.settle("heartbeat", at);
    }
  }
  ch.syncDocs();
  return due;
}

/** Moves every live call's clock back by `ms` (the stress run's time jump does the same). */
export function shiftTime(s: MState, ms: number): void {
  for (const c of Object.values(s.calls)) {
    if (c.state === "ended") continue;
    for (const u of Object.values(c.users)) {
      if (u.deadline_at !== undefined) u.deadline_at -= ms;
      if (u.receipt_deadline_at !== undefined) u.receipt_deadline_at -= ms;
      if (u.heartbeat_at !== undefined) u.heartbeat_at -= ms;
    }
  }
}

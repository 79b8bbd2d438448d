/**
 * The server's timeouts (docs/protocol.md#timeouts): receipts, invitations and heartbeats
 * that fell due, applied in the order they fell due.
 */
import type { Draft } from "./draft.js";
import { endFor, settle } from "./ending.js";
import { isPending } from "./types.js";

type Due = { at: number; kind: "receipt" | "invite" | "heartbeat"; uid: string };

/** On a tie: receipts, then invitations (an unanswered call is "no_answer"), then heartbeats. */
const RANK = { receipt: 0, invite: 1, heartbeat: 2 } as const;

function dueBy(d: Draft): Due[] {
  const due: Due[] = [];
  for (const u of Object.values(d.call.users)) {
    if (u.state === "inviting" && u.receipt_deadline_at !== undefined) {
      if (u.receipt_deadline_at <= d.now)
        due.push({ at: u.receipt_deadline_at, kind: "receipt", uid: u.id });
    }
    if (isPending(u.state) && u.deadline_at !== undefined && u.deadline_at <= d.now) {
      due.push({ at: u.deadline_at, kind: "invite", uid: u.id });
    }
    if (u.state === "accepted" && u.heartbeat_at !== undefined) {
      const at = u.heartbeat_at + d.cfg.heartbeatTimeoutMs;
      if (at <= d.now) due.push({ at, kind: "heartbeat", uid: u.id });
    }
  }
  return due.sort(
    (a, b) => a.at - b.at || RANK[a.kind] - RANK[b.kind] || a.uid.localeCompare(b.uid),
  );
}

/**
 * Applies every timeout that fell due by `d.now`, in the order they fell due, so the result
 * is the state the call would have had if the server had acted at each deadline exactly.
 */
export function applyDue(d: Draft): void {
  if (d.ended()) return;
  const due = dueBy(d);
  for (let i = 0; i < due.length && !d.ended();) {
    const ev = due[i] as Due;
    if (ev.kind === "heartbeat") {
      heartbeatLost(d, ev);
      i++;
      continue;
    }
    // Receipts or invitations falling due at the same instant are reported together.
    const batch: string[] = [];
    while (i < due.length && due[i]?.kind === ev.kind && due[i]?.at === ev.at) {
      const uid = (due[i] as Due).uid;
      const s = d.user(uid).state;
      if (ev.kind === "receipt" ? s === "inviting" : isPending(s)) batch.push(uid);
      i++;
    }
    if (ev.kind === "receipt") receiptsMissed(d, batch);
    else invitationsTimedOut(d, batch, ev.at);
  }
}

/** No device acked within the not-received check: the invitees are NotYetReceived. */
function receiptsMissed(d: Draft, batch: string[]): void {
  for (const uid of batch) d.move(uid, "not_yet_received");
  d.announce(batch);
}

function invitationsTimedOut(d: Draft, batch: string[], at: number): void {
  if (batch.length === 0) return;
  for (const uid of batch) {
    // Only an invitee whose device never acknowledged the invitation (Inviting) is told:
    // one that received it hears of its end through its own state (docs/protocol.md#state-change-audience).
    const told = d.user(uid).state === "inviting";
    d.move(uid, "timeout");
    if (told) d.notify(uid, "/call/notify_invitation_timeout", {});
  }
  for (const to of d.active()) {
    d.notify(to, "/call/notify_invitees_answered_timeout", { invitees: batch });
  }
  d.announce(batch);
  settle(d, "no_answer", at);
}

function heartbeatLost(d: Draft, ev: Due): void {
  if (d.user(ev.uid).state !== "accepted") return;
  if (ev.uid === d.inviterId && d.call.state === "ringing") {
    // The inviter went silent while ringing: the invitation is canceled (caller_offline).
    endFor(d, "caller_offline", { at: ev.at });
    return;
  }
  d.move(ev.uid, "quit");
  for (const to of d.activeExcept(ev.uid)) d.notify(to, "/call/notify_timeout", { id: ev.uid });
  d.announce([ev.uid]);
  settle(d, "heartbeat_timeout", ev.at);
}

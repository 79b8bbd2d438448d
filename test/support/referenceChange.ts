/**
 * The reference model's change of one call (test/support/referenceModel.ts): moving users,
 * notifying the audience, ending and settling the call (docs/protocol.md, #call-outcomes and
 * #call-states-and-end-reasons), and the user docs it rewrites (#user-document). Commands
 * (referenceCommands.ts) and deadlines (referenceDeadlines.ts) both decide through it.
 */
import type { EndReason, UserState } from "../../functions/src/core/types.js";
import { isUndelivered } from "./referenceBlocks.js";
import { canonicalBody, noteKey } from "./referenceNotes.js";
import {
  isRinging,
  RINGING,
  statusIn,
  type MCall,
  type MState,
  type MUser,
} from "./referenceState.js";

/** docs/protocol.md#state-change-audience: who hears notify_user_state_changed. */
const AUDIENCE: readonly UserState[] = [...RINGING, "accepted", "quit"];

/** One change being decided on one call: the state plus helpers to move and notify. */
export class Change {
  constructor(
    readonly s: MState,
    readonly c: MCall,
  ) {}

  get accepted(): string[] {
    return this.c.user_ids.filter((id) => this.c.users[id]?.state === "accepted");
  }
  get ringing(): string[] {
    return this.c.user_ids.filter((id) => isRinging((this.c.users[id] as MUser).state));
  }
  user(id: string): MUser {
    return this.c.users[id] as MUser;
  }
  notify(to: string, path: string, body: Record<string, unknown>): void {
    if (isUndelivered(this.c, to)) return;
    const k = noteKey(to, this.c.call_id, path, canonicalBody(path, body));
    this.s.notes[k] = (this.s.notes[k] ?? 0) + 1;
  }
  /** notify_user_state_changed about `ids` (their current states) to the audience. */
  tell(ids: string[]): void {
    if (!ids.length) return;
    const users = ids.map((id) => ({ id, state: this.user(id).state }));
    for (const to of this.c.user_ids) {
      if (AUDIENCE.includes(this.user(to).state)) {
        this.notify(to, "/call/notify_user_state_changed", { users });
      }
    }
  }

  /**
   * Ends the call (docs/protocol.md#call-states-and-end-reasons): ringing invitees become
   * canceled, accepted users quit; when the server ends an ongoing call, every accepted user
   * is told notify_call_end with id "". Invitees still ringing are told notify_call_canceled
   * unless `endCall` told them notify_call_end instead. End moves are never told as changes.
   */
  end(reason: EndReason, at: number, by?: string, toldRinging = false): void {
    const c = this.c;
    if (c.state === "ongoing" && by === undefined) {
      for (const id of this.accepted) this.notify(id, "/call/notify_call_end", { id: "" });
    }
    for (const id of this.ringing) {
      if (!toldRinging) {
        this.notify(id, "/call/notify_call_canceled", { caller_id: by ?? c.caller });
      }
      this.user(id).state = "canceled";
    }
    for (const id of this.accepted) this.user(id).state = "quit";
    c.state = "ended";
    c.end_reason = reason;
    c.ended_at = at;
    if (by !== undefined) c.ended_by = by;
  }
  /**
   * The call-level rules after any user moved: a common call ends while ringing when nobody
   * rings and no invitee accepted, and once ongoing when at most one accepted user and nobody
   * ringing remain; an advanced call ends when no accepted user remains.
   */
  settle(
    cause: "declined" | "canceled" | "no_answer" | "heartbeat" | "quit" | "accepted",
    at: number,
  ): void {
    const c = this.c;
    if (c.state === "ended") return;
    const accepted = this.accepted;
    const pending = this.ringing.length;
    if (c.state === "ringing") {
      if (accepted.some((id) => id !== c.caller)) {
        c.state = "ongoing";
        return;
      }
      if (accepted.length === 0 || (c.mode === "common" && pending === 0)) {
        this.end(ringingReason(this, cause), at);
      }
      return;
    }
    const over =
      c.mode === "common" ? accepted.length <= 1 && pending === 0 : accepted.length === 0;
    if (!over) return;
    this.end(
      cause === "heartbeat" ? "heartbeat_timeout" : cause === "quit" ? "all_quit" : "completed",
      at,
    );
  }

  /** After any change: every user whose status this call decides gets their doc rewritten. */
  syncDocs(): void {
    syncDocs(this.s, this.c);
  }
}

function ringingReason(ch: Change, cause: string): EndReason {
  if (cause === "quit") return "all_quit";
  if (cause === "heartbeat") return "caller_offline";
  return outcomeOf(ch.c);
}

/**
 * docs/protocol.md#call-outcomes: a call nobody accepted ends `canceled` when the caller
 * withdrew while someone rang (someone rings now, or was canceled), else `busy` when all who
 * answered were busy, `declined` when any who answered declined, `no_answer` when none answered.
 */
export function outcomeOf(c: MCall): EndReason {
  const invitees = Object.values(c.users).filter((u) => u.id !== c.caller);
  if (invitees.some((u) => isRinging(u.state) || u.state === "canceled")) return "canceled";
  const rejected = invitees.filter((u) => u.state === "rejected");
  if (rejected.length > 0) return rejected.every((u) => u.decline_type === 2) ? "busy" : "declined";
  return invitees.some((u) => u.state === "timeout") ? "no_answer" : "canceled";
}

/** docs/protocol.md#user-document: a call that makes a user busy points their doc at it; one
 * that makes them idle clears a doc that points at it and leaves any other alone. */
function syncDocs(s: MState, c: MCall): void {
  for (const id of c.user_ids) {
    if (isUndelivered(c, id)) continue;
    const status = statusIn(c, id);
    if (status !== "idle") s.docs[id] = { status, call_id: c.call_id };
    else if (s.docs[id]?.call_id === c.call_id) s.docs[id] = { status: "idle", call_id: null };
  }
}

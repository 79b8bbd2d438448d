/**
 * A predictive reference model of Ringback, written from docs/protocol.md and the seed's
 * tables (seed 003: which user state may do which operation and hears which callback), with
 * no import of the implementation's logic: only type names come from functions/src. Given a
 * command (and the time the server ran it) or a deadline falling due, it predicts the answer
 * (the call result, or the refusal's code and reason), every user's state in every call,
 * each call's state and end reason, each user's `users/{uid}` status, and the notifications
 * that must be written (recipient, path, and the body fields that matter).
 *
 * The model is pure and deterministic: `command` and `fire` mutate a state the caller has
 * cloned. test/support/oracle.ts searches for a serialization of concurrent commands and
 * deadlines that explains what the database holds (test/stress/model.test.ts).
 */
import type {
  CallMode,
  CallState,
  DeclineType,
  EndReason,
  UserState,
  UserStatus,
} from "../../functions/src/core/types.js";
import {
  blockCommand,
  isBlockCommand,
  isUndelivered,
  markUndelivered,
  screened,
  type BlockCommand,
} from "./referenceBlocks.js";

/** The params of the test stack (functions/.env.*): docs/protocol.md#limits-and-defaults. */
export const LIMITS = {
  heartbeatTimeoutMs: 60_000,
  notReceivedMs: 5_000,
  maxCallUsers: 10,
  startBurst: 10,
};

export interface MUser {
  id: string;
  state: UserState;
  decline_type?: DeclineType;
  deadline_at?: number;
  receipt_deadline_at?: number;
  heartbeat_at?: number;
  invited_by?: string;
  /** Declined as busy when invited (what a repeated inviteToCall reports). */
  busy_at_invite?: boolean;
}

export interface MCall {
  call_id: string;
  caller: string;
  mode: CallMode;
  /** Invitation timeout, seconds. */
  timeout: number;
  not_received_check: boolean;
  state: CallState;
  end_reason?: EndReason;
  ended_by?: string;
  ended_at?: number;
  users: Record<string, MUser>;
  /** Every user in order, undelivered invitees included (referenceBlocks.ts). */
  user_ids: string[];
  /** Invitees left undelivered (they blocked their inviter): referenceBlocks.ts. */
  undelivered?: string[];
}

export interface MDoc {
  status: UserStatus;
  call_id: string | null;
}

export interface MState {
  calls: Record<string, MCall>;
  /** users/{uid}; a missing entry is idle. */
  docs: Record<string, MDoc>;
  /** Notifications written, canonical key (see `noteKey`) -> count. */
  notes: Record<string, number>;
  /** startCall tokens taken per user (docs/protocol.md#limits-and-defaults, rate limit). */
  starts: Record<string, number>;
  /** Each user's block list, sorted (referenceBlocks.ts); absent when nobody blocks anyone. */
  blocked?: Record<string, string[]>;
}

export const emptyState = (): MState => ({ calls: {}, docs: {}, notes: {}, starts: {} });

export type Simple =
  | "acceptCall"
  | "declineCall"
  | "cancelCall"
  | "endCall"
  | "heartbeat"
  | "joinCall"
  | "quitCall"
  | "ackCall";

export type Command =
  | {
      name: "startCall";
      actor: string;
      callees: string[];
      mode: CallMode;
      timeout: number;
      check: boolean;
      /** The id the server gave the call (from its answer); the model cannot make one up. */
      call_id: string;
    }
  | { name: "inviteToCall"; actor: string; call_id: string; callees: string[] }
  | { name: Simple; actor: string; call_id: string; type?: DeclineType }
  | BlockCommand;

/** An answer, as the model predicts it and as the harness records the server's. */
export type Answer =
  | {
      ok: true;
      call_id: string;
      /** The call result (absent for startCall, whose answer has none). */
      state?: CallState;
      end_reason?: EndReason | null;
      user_state?: UserState;
      /** inviteToCall's lists, sorted. */
      invited?: string[];
      busy?: string[];
      already?: string[];
    }
  | { ok: false; code: string; reason: string };

export const RINGING: readonly UserState[] = ["inviting", "received", "not_yet_received"];
export const isRinging = (s: UserState): boolean => RINGING.includes(s);

/** docs/protocol.md#state-change-audience: who hears notify_user_state_changed. */
const AUDIENCE: readonly UserState[] = [...RINGING, "accepted", "quit"];

/** docs/protocol.md#user-status. */
export function statusIn(call: MCall, uid: string): UserStatus {
  const u = call.users[uid];
  if (!u || call.state === "ended") return "idle";
  if (isRinging(u.state)) return "ringing";
  if (u.state !== "accepted") return "idle";
  return call.state === "ringing" ? "calling" : "in_call";
}

/** The canonical key of one notification: who, which call, path, and the body fields compared. */
export function noteKey(
  to: string,
  callId: string,
  path: string,
  body: Record<string, unknown>,
): string {
  return `${to} ${callId} ${path} ${JSON.stringify(body)}`;
}

/** The body fields the model predicts, from a full body (the server's) or the model's own. */
export function canonicalBody(
  path: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const ids = (xs: unknown) =>
    ((xs ?? []) as unknown[])
      .map((x) => (typeof x === "string" ? x : (x as { id: string }).id))
      .sort();
  switch (path) {
    case "/call/notify_call_invited": {
      const inviter = body.inviter as { id: string } | string | undefined;
      return {
        caller: typeof body.caller === "string" ? body.caller : (body.caller as { id: string }).id,
        callees: ids(body.callees),
        mode: body.mode,
        timeout: body.timeout,
        ...(inviter ? { inviter: typeof inviter === "string" ? inviter : inviter.id } : {}),
      };
    }
    case "/call/notify_call_canceled":
      return { caller_id: body.caller_id };
    case "/call/notify_call_accept":
      return { callee_id: body.callee_id };
    case "/call/notify_call_decline":
      return { callee_id: body.callee_id, type: body.type };
    case "/call/notify_call_end":
    case "/call/notify_timeout":
      return { id: body.id };
    case "/call/notify_invitation_timeout":
      return {};
    case "/call/notify_invitees_answered_timeout":
      return { invitees: ids(body.invitees) };
    case "/call/notify_user_state_changed":
      return {
        users: ((body.users ?? []) as { id: string; state: string }[])
          .map((u) => `${u.id}:${u.state}`)
          .sort(),
      };
    default:
      return body;
  }
}

/** One change being decided on one call: the state plus helpers to move and notify. */
class Change {
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

/** Whether `uid` is busy: their doc points at a live call where they ring or are accepted. */
export function busyIn(s: MState, uid: string): MCall | undefined {
  const d = s.docs[uid];
  if (!d || d.status === "idle" || !d.call_id) return undefined;
  const c = s.calls[d.call_id];
  return c && statusIn(c, uid) !== "idle" ? c : undefined;
}

const refuse = (code: string, reason: string): Answer => ({
  ok: false,
  code: `functions/${code}`,
  reason,
});

function result(c: MCall, actor: string): Extract<Answer, { ok: true }> {
  return {
    ok: true,
    call_id: c.call_id,
    state: c.state,
    end_reason: c.end_reason ?? null,
    user_state: (c.users[actor] as MUser).state,
  };
}

/** Stamps an invitation on `id` (docs/protocol.md#startcall, #inviteToCall, #timeouts). */
function ring(c: MCall, u: MUser, now: number): void {
  u.state = "inviting";
  u.deadline_at = now + c.timeout * 1000;
  if (c.not_received_check) u.receipt_deadline_at = now + LIMITS.notReceivedMs;
}

/**
 * Applies one command at server time `now`; returns the predicted answer. `observed` only
 * settles what the protocol leaves open to timing (a start past the rate limit's burst may or
 * may not have been refilled).
 */
export function command(s: MState, cmd: Command, now: number, observed?: Answer): Answer {
  if (cmd.name === "startCall") return start(s, cmd, now, observed);
  if (isBlockCommand(cmd)) return blockCommand(s, cmd);
  const c = s.calls[cmd.call_id];
  if (!c) return refuse("not-found", "call_not_found");
  const me = c.users[cmd.actor];
  if (!me || isUndelivered(c, cmd.actor)) return refuse("permission-denied", "not_in_call");
  const ch = new Change(s, c);
  const ended = c.state === "ended";
  const inviter = cmd.actor === c.caller;
  // A refusal by state or role reads call_ended on an ended call (docs/protocol.md#operations).
  const byState = (reason: string) =>
    ended ? refuse("failed-precondition", "call_ended") : refuse("failed-precondition", reason);
  if (
    (cmd.name === "inviteToCall" || cmd.name === "joinCall" || cmd.name === "quitCall") &&
    c.mode === "common"
  ) {
    return refuse("failed-precondition", "mode_common");
  }
  switch (cmd.name) {
    case "cancelCall": {
      if (!inviter) return byState("not_inviter");
      if (ended) {
        return c.ended_by === cmd.actor && c.end_reason === "canceled"
          ? result(c, cmd.actor)
          : byState("not_in_call");
      }
      if (me.state !== "accepted") return byState("not_in_call");
      const targets = ch.ringing;
      if (!targets.length) return byState("already_answered");
      for (const id of targets) {
        ch.user(id).state = "canceled";
        ch.notify(id, "/call/notify_call_canceled", { caller_id: cmd.actor });
      }
      ch.tell(targets);
      if (c.state === "ringing" && c.mode === "common" && ch.ringing.length === 0) {
        ch.end("canceled", now, cmd.actor);
      } else ch.settle("canceled", now);
      break;
    }
    case "acceptCall":
    case "declineCall": {
      if (inviter) return byState("not_invited");
      const accept = cmd.name === "acceptCall";
      if (!ended && isRinging(me.state)) {
        me.state = accept ? "accepted" : "rejected";
        if (accept) {
          me.heartbeat_at = now;
          for (const id of ch.accepted) {
            if (id !== cmd.actor)
              ch.notify(id, "/call/notify_call_accept", { callee_id: cmd.actor });
          }
        } else {
          me.decline_type = cmd.type ?? 1;
          for (const id of ch.accepted) {
            ch.notify(id, "/call/notify_call_decline", {
              callee_id: cmd.actor,
              type: me.decline_type,
            });
          }
        }
        ch.tell([cmd.actor]);
        ch.settle(accept ? "accepted" : "declined", now);
        break;
      }
      if ((accept && me.state === "accepted") || (!accept && me.state === "rejected")) {
        return result(c, cmd.actor);
      }
      return byState("already_answered");
    }
    case "endCall": {
      if (ended) return result(c, cmd.actor);
      if (me.state !== "accepted") return byState("not_accepted");
      for (const id of c.user_ids) {
        const u = ch.user(id);
        if (id !== cmd.actor && (u.state === "accepted" || isRinging(u.state))) {
          ch.notify(id, "/call/notify_call_end", { id: cmd.actor });
        }
      }
      ch.end(c.state === "ringing" ? outcomeOf(c) : "completed", now, cmd.actor, true);
      break;
    }
    case "heartbeat": {
      if (ended || me.state !== "accepted") return byState("not_accepted");
      me.heartbeat_at = now;
      break;
    }
    case "quitCall": {
      if (me.state === "quit") return result(c, cmd.actor);
      if (ended || me.state !== "accepted") return byState("not_accepted");
      me.state = "quit";
      ch.tell([cmd.actor]);
      ch.settle("quit", now);
      break;
    }
    case "ackCall": {
      if (inviter) return byState("not_invited");
      if (me.state === "inviting" || me.state === "not_yet_received") {
        if (ended) return byState("already_answered");
        me.state = "received";
        ch.tell([cmd.actor]);
      }
      break;
    }
    case "joinCall": {
      if (ended) return refuse("failed-precondition", "call_ended");
      if (me.state === "accepted") {
        me.heartbeat_at = now;
        break;
      }
      if (!isRinging(me.state)) {
        const other = busyIn(s, cmd.actor);
        if (other && other.call_id !== c.call_id) return refuse("failed-precondition", "busy");
      }
      me.state = "accepted";
      me.heartbeat_at = now;
      delete me.decline_type;
      ch.tell([cmd.actor]);
      ch.settle("accepted", now);
      break;
    }
    case "inviteToCall": {
      if (ended || me.state !== "accepted") return byState("not_accepted");
      const repeat = cmd.callees.filter((id) => c.users[id]?.invited_by === cmd.actor);
      const already = cmd.callees.filter((id) => c.users[id] && !repeat.includes(id));
      const fresh = cmd.callees.filter((id) => !c.users[id]);
      if (!fresh.length && !repeat.length) return byState("already_in_call");
      if (c.user_ids.length + fresh.length > LIMITS.maxCallUsers) {
        return byState("call_full");
      }
      const busy: string[] = [];
      const invited: string[] = [];
      for (const id of repeat) (c.users[id]?.busy_at_invite ? busy : invited).push(id);
      const rung: string[] = [];
      const hidden = screened(s, cmd.actor, fresh);
      markUndelivered(c, hidden);
      for (const id of fresh) {
        const u: MUser = { id, state: "inviting", invited_by: cmd.actor };
        if (!hidden.has(id) && busyIn(s, id)) {
          u.state = "rejected";
          u.decline_type = 2;
          u.busy_at_invite = true;
          busy.push(id);
        } else {
          ring(c, u, now);
          invited.push(id);
          rung.push(id);
        }
        c.users[id] = u;
        c.user_ids.push(id);
      }
      for (const id of fresh) {
        if (!c.users[id]?.busy_at_invite) continue;
        for (const to of ch.accepted) {
          ch.notify(to, "/call/notify_call_decline", { callee_id: id, type: 2 });
        }
      }
      for (const id of rung) {
        ch.notify(id, "/call/notify_call_invited", {
          caller: c.caller,
          callees: c.user_ids.filter((x) => x !== c.caller),
          mode: c.mode,
          timeout: c.timeout,
          ...(cmd.actor !== c.caller ? { inviter: cmd.actor } : {}),
        });
      }
      // The new users' states reach the audience, as at startCall.
      ch.tell(fresh);
      ch.syncDocs();
      return {
        ...result(c, cmd.actor),
        invited: invited.sort(),
        busy: busy.sort(),
        already: already.sort(),
      };
    }
  }
  ch.syncDocs();
  return result(c, cmd.actor);
}

function start(
  s: MState,
  cmd: Extract<Command, { name: "startCall" }>,
  now: number,
  observed?: Answer,
): Answer {
  if (busyIn(s, cmd.actor)) return refuse("failed-precondition", "busy");
  const taken = s.starts[cmd.actor] ?? 0;
  if (
    taken >= LIMITS.startBurst &&
    observed &&
    !observed.ok &&
    observed.reason === "rate_limited"
  ) {
    return refuse("resource-exhausted", "rate_limited");
  }
  s.starts[cmd.actor] = taken + 1;
  const c: MCall = {
    call_id: cmd.call_id,
    caller: cmd.actor,
    mode: cmd.mode,
    timeout: cmd.timeout,
    not_received_check: cmd.check,
    state: "ringing",
    users: { [cmd.actor]: { id: cmd.actor, state: "accepted", heartbeat_at: now } },
    user_ids: [cmd.actor, ...cmd.callees],
  };
  s.calls[c.call_id] = c;
  const ch = new Change(s, c);
  const busy: string[] = [];
  const hidden = screened(s, cmd.actor, cmd.callees);
  markUndelivered(c, hidden);
  for (const id of cmd.callees) {
    const u: MUser = { id, state: "inviting" };
    if (!hidden.has(id) && busyIn(s, id)) {
      u.state = "rejected";
      u.decline_type = 2;
      u.busy_at_invite = true;
      busy.push(id);
    } else ring(c, u, now);
    c.users[id] = u;
  }
  for (const id of cmd.callees) {
    if (busy.includes(id)) {
      ch.notify(cmd.actor, "/call/notify_call_decline", { callee_id: id, type: 2 });
    } else {
      ch.notify(id, "/call/notify_call_invited", {
        caller: cmd.actor,
        callees: cmd.callees,
        mode: c.mode,
        timeout: c.timeout,
      });
    }
  }
  ch.tell(cmd.callees);
  ch.settle("declined", now);
  ch.syncDocs();
  return { ok: true, call_id: c.call_id };
}

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

/**
 * The call state machine: pure functions over a Call, time passed in, no I/O.
 *
 * A command runs on a Draft: the stored call plus the notifications it produces. Overdue
 * timeouts are applied to the draft first (`applyDue`), then the command; `finish` seals the
 * draft into an Outcome (new call doc + notices) that the adapter writes in one transaction.
 */
import { DomainError, InvariantError } from "./errors.js";
import { ADVANCED_ONLY, canMove, judge, type Command } from "./transitions.js";
import {
  isPending,
  MAX_CALL_USERS,
  NOT_RECEIVED_MS,
  type Call,
  type CallMode,
  type CallType,
  type CallUser,
  type CoreConfig,
  type DeclineType,
  type EndReason,
  type Incoming,
  type Notice,
  type NotificationPath,
  type PushConfig,
  type StartResult,
  type UserDoc,
  type UserRef,
  type UserState,
  type UserStatus,
} from "./types.js";

export interface Outcome {
  call: Call;
  notices: Notice[];
  /** False when nothing needs writing. */
  changed: boolean;
  /** A deadline task to enqueue for this moment once the outcome is committed. */
  schedule?: number;
  /** The pending deadline task (its moment) that the call no longer needs: it has ended. */
  unschedule?: number;
}

/**
 * When a new deadline task is needed: the call has a next deadline and no pending task runs
 * at or before it (none scheduled, the scheduled one is later, or its moment has passed, so
 * it has run or been lost). A heartbeat that moves the deadline later schedules nothing: the
 * pending task runs at the old moment, finds nothing due and schedules the next one. So a
 * call has at most one pending task, never one per heartbeat.
 */
export function taskNeeded(taskAt: number | null, next: number | null, now: number): number | null {
  if (next === null) return null;
  if (taskAt !== null && taskAt <= next && taskAt > now) return null;
  if (taskAt === next) return null; // already scheduled for exactly this moment
  return next;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** What made the call end, as the last event that settled it. */
type Cause = "accepted" | "canceled" | "declined" | "no_answer" | "heartbeat_timeout" | "quit";

export class Draft {
  readonly call: Call;
  readonly notices: Notice[] = [];
  changed = false;

  constructor(
    call: Call,
    readonly now: number,
    readonly cfg: CoreConfig,
  ) {
    this.call = structuredClone(call);
  }

  user(uid: string): CallUser {
    const u = this.call.users[uid];
    if (!u) throw new InvariantError(`user ${uid} is not in call ${this.call.call_id}`);
    return u;
  }

  /** Moves a user along USER_TRANSITIONS; any other move is a bug. */
  move(uid: string, to: UserState, patch: Partial<CallUser> = {}): void {
    const u = this.user(uid);
    if (!canMove(u.state, to)) {
      throw new InvariantError(`illegal move ${u.state} -> ${to} for ${uid}`);
    }
    Object.assign(u, patch, { state: to, updated_at: this.now });
    this.changed = true;
  }

  notify(to: string, path: NotificationPath, body: Record<string, unknown>): void {
    this.notices.push({ to, path, body: { call_id: this.call.call_id, ...body } });
  }

  /**
   * Tells of users whose state just changed (`/call/notify_user_state_changed`), to the
   * audience of seed 003's callback table: every user Inviting, Received, NotYetReceived or
   * Accepted, and a user who has just quit. Rejected, Canceled and Timeout users hear
   * nothing more. The moves that end a call are told by the end notifications instead.
   */
  announce(uids: readonly string[]): void {
    if (uids.length === 0) return;
    const users = uids.map((id) => {
      const u = this.user(id);
      return { id, state: u.state, extended_data: u.extended_data ?? "" };
    });
    for (const to of this.call.user_ids) {
      const s = this.user(to).state;
      if (isPending(s) || s === "accepted" || (s === "quit" && uids.includes(to))) {
        this.notify(to, "/call/notify_user_state_changed", { users });
      }
    }
  }

  ended(): boolean {
    return this.call.state === "ended";
  }

  get inviterId(): string {
    return this.call.caller.id;
  }

  invitees(): CallUser[] {
    return Object.values(this.call.users).filter((u) => u.id !== this.inviterId);
  }

  inState(pred: (s: UserState) => boolean): CallUser[] {
    return this.call.user_ids.map((id) => this.user(id)).filter((u) => pred(u.state));
  }

  /** The inviter and every accepted user: who hears of answers. */
  active(): string[] {
    return this.inState((s) => s === "accepted").map((u) => u.id);
  }

  activeExcept(except: string): string[] {
    return this.active().filter((id) => id !== except);
  }

  /**
   * Ends the call: accepted users quit, invitees still ringing are canceled (and told so
   * unless the caller of end() sends them another notification).
   */
  end(reason: EndReason, opts: { by?: string; tellPending: boolean; at?: number }): void {
    for (const u of this.inState(isPending)) {
      this.move(u.id, "canceled");
      if (opts.tellPending) {
        this.notify(u.id, "/call/notify_call_canceled", { caller_id: this.inviterId });
      }
    }
    for (const u of this.inState((s) => s === "accepted")) this.move(u.id, "quit");
    const c = this.call;
    c.state = "ended";
    c.end_reason = reason;
    c.ended_at = opts.at ?? this.now;
    if (opts.by !== undefined) c.ended_by = opts.by;
    this.changed = true;
  }

  /**
   * Applies the call-level rules after any user moved (PROTOCOL "States"). While ringing,
   * both modes end when no invitee is left to answer and none accepted (seed 003: advanced
   * mode is the same as common mode in cancellation, acceptance, rejection and timeout), and
   * an advanced call also ends when no accepted user is left. Once ongoing, a common call
   * ends when at most one accepted user and no pending invitee remain, an advanced call when
   * no accepted user remains.
   */
  settle(cause: Cause, at?: number): void {
    const c = this.call;
    if (c.state === "ended") return;
    const pending = this.inState(isPending).length;
    const accepted = this.inState((s) => s === "accepted");
    const inviteeAccepted = accepted.some((u) => u.id !== this.inviterId);
    if (c.state === "ringing") {
      if (inviteeAccepted) {
        c.state = "ongoing";
        this.changed = true;
      } else if (pending === 0) {
        this.end(ringingEndReason(this, cause), { tellPending: true, at });
      } else if (accepted.length === 0) {
        this.end(cause === "quit" ? "all_quit" : "canceled", { tellPending: true, at });
      }
      return;
    }
    const over =
      c.mode === "common" ? accepted.length <= 1 && pending === 0 : accepted.length === 0;
    if (over) {
      const reason: EndReason =
        cause === "heartbeat_timeout"
          ? "heartbeat_timeout"
          : cause === "quit" && accepted.length === 0
            ? "all_quit"
            : "completed";
      this.end(reason, { tellPending: true, at });
    }
  }

  /**
   * Runs a command on the draft; if it throws, the draft is as before (a command never
   * half-applies), so overdue timeouts applied earlier can still be written.
   */
  attempt<R>(fn: (d: Draft) => R): { ok: true; value: R } | { ok: false; error: DomainError } {
    const saved = structuredClone(this.call);
    const notices = this.notices.length;
    const changed = this.changed;
    try {
      return { ok: true, value: fn(this) };
    } catch (e) {
      Object.assign(this.call, saved);
      for (const k of Object.keys(this.call) as (keyof Call)[]) {
        if (!(k in saved)) delete this.call[k];
      }
      this.notices.length = notices;
      this.changed = changed;
      if (e instanceof DomainError) return { ok: false, error: e };
      throw e;
    }
  }

  /** Seals the draft: version for stable event ids, the next deadline for the sweep. */
  finish(): Outcome {
    const c = this.call;
    // A stored deadline that no longer matches (say, the heartbeat timeout was reconfigured)
    // is corrected too, so the sweep never keeps finding a call with nothing due.
    const next = nextDeadline(c, this.cfg);
    if (next !== c.next_deadline_at) this.changed = true;
    const schedule = taskNeeded(c.task_at ?? null, next, this.now);
    // An ended call needs no pending task: it is cancelled rather than left to run for nothing.
    const pending = c.task_at ?? null;
    const unschedule =
      c.state === "ended" && pending !== null && pending > this.now ? pending : null;
    if (schedule !== null || unschedule !== null) this.changed = true;
    if (this.changed) {
      if (this.notices.length > 0) c.version += 1;
      c.next_deadline_at = next;
      if (schedule !== null) c.task_at = schedule;
      if (unschedule !== null) c.task_at = null;
      c.updated_at = this.now;
    }
    return {
      call: c,
      notices: this.notices,
      changed: this.changed,
      ...(schedule !== null ? { schedule } : {}),
      ...(unschedule !== null ? { unschedule } : {}),
    };
  }
}

function ringingEndReason(d: Draft, cause: Cause): EndReason {
  switch (cause) {
    case "declined": {
      const rejected = d.inState((s) => s === "rejected");
      return rejected.length > 0 && rejected.every((u) => u.decline_type === 2)
        ? "busy"
        : "declined";
    }
    case "canceled":
      return "canceled";
    case "no_answer":
      return "no_answer";
    default:
      return "canceled";
  }
}

/** The earliest moment something falls due, or null when nothing can. */
export function nextDeadline(call: Call, cfg: CoreConfig): number | null {
  if (call.state === "ended") return null;
  let next: number | null = null;
  const consider = (t: number | undefined): void => {
    if (t !== undefined && (next === null || t < next)) next = t;
  };
  for (const u of Object.values(call.users)) {
    if (isPending(u.state)) consider(u.deadline_at);
    if (u.state === "inviting") consider(u.receipt_deadline_at);
    if (u.state === "accepted" && u.heartbeat_at !== undefined) {
      consider(u.heartbeat_at + cfg.heartbeatTimeoutMs);
    }
  }
  return next;
}

/**
 * Applies every timeout that fell due by `d.now`, in the order they fell due, so the result
 * is the state the call would have had if the server had acted at each deadline exactly.
 */
export function applyDue(d: Draft): void {
  const c = d.call;
  if (c.state === "ended") return;
  type Due = { at: number; kind: "receipt" | "invite" | "heartbeat"; uid: string };
  const due: Due[] = [];
  for (const u of Object.values(c.users)) {
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
  // On a tie: receipts, then invitation timeouts (an unanswered call is "no_answer", not
  // "offline"), then heartbeats.
  const rank = { receipt: 0, invite: 1, heartbeat: 2 } as const;
  due.sort((a, b) => a.at - b.at || rank[a.kind] - rank[b.kind] || a.uid.localeCompare(b.uid));

  // (d.ended(), not c.state: the moves below change the state behind TypeScript's back)
  for (let i = 0; i < due.length && !d.ended();) {
    const ev = due[i] as Due;
    if (ev.kind === "receipt") {
      // No device acked within the check: the invitee is NotYetReceived (seed 003).
      const batch: string[] = [];
      while (i < due.length && due[i]?.kind === "receipt" && due[i]?.at === ev.at) {
        const uid = (due[i] as Due).uid;
        if (d.user(uid).state === "inviting") batch.push(uid);
        i++;
      }
      for (const uid of batch) d.move(uid, "not_yet_received");
      d.announce(batch);
      continue;
    }
    if (ev.kind === "invite") {
      // Invitees whose invitations fall due at the same instant are reported together.
      const batch: string[] = [];
      while (i < due.length && due[i]?.kind === "invite" && due[i]?.at === ev.at) {
        const uid = (due[i] as Due).uid;
        if (isPending(d.user(uid).state)) batch.push(uid);
        i++;
      }
      if (batch.length === 0) continue;
      for (const uid of batch) {
        d.move(uid, "timeout");
        d.notify(uid, "/call/notify_invitation_timeout", {});
      }
      for (const to of d.active()) {
        d.notify(to, "/call/notify_invitees_answered_timeout", { invitees: batch });
      }
      d.announce(batch);
      d.settle("no_answer", ev.at);
      continue;
    }
    i++;
    if (d.user(ev.uid).state !== "accepted") continue;
    if (ev.uid === d.inviterId && c.state === "ringing") {
      // The inviter went silent while ringing: the invitation is canceled (caller_offline).
      d.end("caller_offline", { tellPending: true, at: ev.at });
      continue;
    }
    d.move(ev.uid, "quit");
    for (const to of d.activeExcept(ev.uid)) d.notify(to, "/call/notify_timeout", { id: ev.uid });
    d.announce([ev.uid]);
    d.settle("heartbeat_timeout", ev.at);
  }
}

// ---------------------------------------------------------------------------------------
// Commands

function roleOf(d: Draft, actor: string): "inviter" | "invitee" {
  if (!d.call.users[actor]) {
    throw new DomainError("permission_denied", "not_in_call", "You are not in this call.", {
      call_id: d.call.call_id,
    });
  }
  return actor === d.inviterId ? "inviter" : "invitee";
}

function stateDetails(d: Draft, actor: string): Record<string, unknown> {
  const c = d.call;
  return {
    call_id: c.call_id,
    call_state: c.state,
    user_state: c.users[actor]?.state ?? null,
    ...(c.end_reason ? { end_reason: c.end_reason } : {}),
  };
}

function refuse(d: Draft, actor: string, reason: string): never {
  const ended = d.call.state === "ended";
  const why = ended ? "call_ended" : reason;
  throw new DomainError(
    "failed_precondition",
    why,
    ended ? "The call has ended." : `Not allowed in the current state (${why}).`,
    stateDetails(d, actor),
  );
}

/**
 * Consults OPERATIONS for `command`: returns true when the command should act, false when
 * it already took effect (idempotent repeat), and throws the table's refusal otherwise.
 */
function admit(d: Draft, actor: string, command: Command): boolean {
  const role = roleOf(d, actor);
  if (ADVANCED_ONLY.includes(command) && d.call.mode !== "advanced") {
    throw new DomainError(
      "failed_precondition",
      "mode_common",
      "Only an advanced-mode call allows this.",
      stateDetails(d, actor),
    );
  }
  const verdict = judge(command, role, d.user(actor).state);
  if (verdict.kind === "done") return false;
  if (verdict.kind === "refuse") refuse(d, actor, verdict.reason);
  if (d.call.state === "ended") refuse(d, actor, "call_ended");
  return true;
}

export interface CommandResult {
  call_id: string;
  state: Call["state"];
  end_reason: EndReason | null;
  user_state: UserState;
}

export function resultFor(call: Call, actor: string): CommandResult {
  const u = call.users[actor];
  if (!u) throw new InvariantError(`no user ${actor} in ${call.call_id}`);
  return {
    call_id: call.call_id,
    state: call.state,
    end_reason: call.end_reason ?? null,
    user_state: u.state,
  };
}

export function accept(
  d: Draft,
  actor: string,
  args: { extended_data?: string; device_id?: string },
): void {
  if (!admit(d, actor, "accept")) return;
  const patch: Partial<CallUser> = { heartbeat_at: d.now };
  if (args.extended_data !== undefined) patch.extended_data = args.extended_data;
  if (args.device_id !== undefined) patch.device_id = args.device_id;
  d.move(actor, "accepted", patch);
  for (const to of d.activeExcept(actor)) {
    d.notify(to, "/call/notify_call_accept", {
      callee_id: actor,
      extended_data: args.extended_data ?? "",
    });
  }
  d.announce([actor]);
  d.settle("accepted");
}

export function decline(
  d: Draft,
  actor: string,
  args: { type: DeclineType; extended_data?: string; caller_id?: string; device_id?: string },
): void {
  roleOf(d, actor);
  if (args.caller_id !== undefined && args.caller_id !== d.inviterId) {
    throw new DomainError(
      "permission_denied",
      "caller_mismatch",
      "caller_id is not this call's caller.",
      {
        call_id: d.call.call_id,
      },
    );
  }
  if (!admit(d, actor, "decline")) return;
  const patch: Partial<CallUser> = { decline_type: args.type };
  if (args.extended_data !== undefined) patch.extended_data = args.extended_data;
  if (args.device_id !== undefined) patch.device_id = args.device_id;
  d.move(actor, "rejected", patch);
  for (const to of d.activeExcept(actor)) {
    d.notify(to, "/call/notify_call_decline", {
      callee_id: actor,
      type: args.type,
      extended_data: args.extended_data ?? "",
    });
  }
  d.announce([actor]);
  d.settle("declined");
}

export function cancel(d: Draft, actor: string, args: { callee_ids?: string[] }): void {
  const c = d.call;
  roleOf(d, actor);
  // Repeating a cancel that ended the call is a success that changes nothing.
  if (c.state === "ended" && c.end_reason === "canceled" && c.ended_by === actor) return;
  if (!admit(d, actor, "cancel")) return;
  const invitees = d.invitees();
  const targets = args.callee_ids ?? invitees.filter((u) => isPending(u.state)).map((u) => u.id);
  for (const id of targets) {
    if (id === actor || !c.users[id]) {
      throw new DomainError(
        "failed_precondition",
        "not_invited",
        `${id} is not invited to this call.`,
        {
          ...stateDetails(d, actor),
          callee_id: id,
        },
      );
    }
  }
  const ringing = targets.filter((id) => isPending(d.user(id).state));
  if (ringing.length === 0) {
    if (targets.length > 0 && targets.every((id) => d.user(id).state === "canceled")) return;
    throw new DomainError(
      "failed_precondition",
      "already_answered",
      "No invitee left to cancel: they have already answered.",
      {
        ...stateDetails(d, actor),
        callees: targets.map((id) => ({ id, state: d.user(id).state })),
      },
    );
  }
  for (const id of ringing) {
    d.move(id, "canceled");
    d.notify(id, "/call/notify_call_canceled", { caller_id: actor });
  }
  d.announce(ringing);
  if (c.state === "ringing" && d.inState(isPending).length === 0) {
    d.end("canceled", { by: actor, tellPending: true });
  } else {
    d.settle("canceled");
  }
}

export function end(d: Draft, actor: string): void {
  roleOf(d, actor);
  if (d.call.state === "ended") return; // ending an ended call: already the case
  if (!admit(d, actor, "end")) return;
  const others = d
    .inState((s) => s === "accepted" || isPending(s))
    .map((u) => u.id)
    .filter((id) => id !== actor);
  for (const to of others) d.notify(to, "/call/notify_call_end", { id: actor });
  d.end(d.call.state === "ringing" ? "canceled" : "completed", { by: actor, tellPending: false });
}

export function heartbeat(d: Draft, actor: string): void {
  if (!admit(d, actor, "heartbeat")) return;
  d.user(actor).heartbeat_at = d.now;
  d.changed = true;
}

/**
 * ackCall: a device of the invitee received the invitation: Inviting or NotYetReceived
 * becomes Received, and the users seed 003 names are told. Records the device.
 */
export function ack(d: Draft, actor: string, args: { device_id?: string }): void {
  if (!admit(d, actor, "ack")) return;
  d.move(actor, "received", args.device_id !== undefined ? { device_id: args.device_id } : {});
  d.announce([actor]);
}

/** Rings `callees` who are new to the call; busy ones are declined with type 2 at once. */
function ring(
  d: Draft,
  inviter: UserRef,
  callees: readonly UserRef[],
  busy: ReadonlySet<string>,
  deadline: number,
  loggedOut: ReadonlySet<string> = new Set(),
): void {
  const c = d.call;
  for (const callee of callees) {
    c.users[callee.id] = {
      id: callee.id,
      name: callee.name,
      state: "inviting",
      deadline_at: deadline,
      ...(loggedOut.has(callee.id) ? { logged_out: true } : {}),
      ...(c.not_received_check
        ? { receipt_deadline_at: d.now + (d.cfg.notReceivedMs ?? NOT_RECEIVED_MS) }
        : {}),
      updated_at: d.now,
    };
    c.user_ids.push(callee.id);
  }
  d.changed = true;
  const everyone = d.invitees().map((u) => ({ id: u.id, name: u.name }));
  for (const callee of callees) {
    if (busy.has(callee.id)) {
      d.move(callee.id, "rejected", { decline_type: 2 });
      for (const to of d.active()) {
        d.notify(to, "/call/notify_call_decline", {
          callee_id: callee.id,
          type: 2,
          extended_data: "",
        });
      }
    } else {
      d.notify(callee.id, "/call/notify_call_invited", {
        caller: c.caller,
        callees: everyone,
        type: c.type,
        mode: c.mode,
        timeout: c.timeout,
        deadline_at: iso(deadline),
        extended_data: c.extended_data,
        ...(inviter.id !== c.caller.id ? { inviter } : {}),
      });
    }
  }
  d.announce(callees.map((u) => u.id));
}

export interface InviteResult {
  /** Callees rung now. */
  invited: string[];
  /** Callees found busy and declined with type 2. */
  busy: string[];
  /** Callees already in this call, left as they are. */
  already: string[];
}

/**
 * callingInvite (advanced mode): an accepted user invites users new to the call, who ring
 * until `timeout` seconds from now (the call's timeout). The call may hold at most
 * `maxCallUsers` users, counting everyone it has named; past that, nobody is invited.
 */
export function invite(
  d: Draft,
  actor: string,
  args: { callees: readonly UserRef[]; busy: ReadonlySet<string>; loggedOut?: ReadonlySet<string> },
): InviteResult {
  if (!admit(d, actor, "invite")) return { invited: [], busy: [], already: [] };
  const c = d.call;
  const fresh = args.callees.filter((u) => !c.users[u.id]);
  const already = args.callees.filter((u) => c.users[u.id]).map((u) => u.id);
  if (fresh.length === 0) {
    throw new DomainError(
      "failed_precondition",
      "already_in_call",
      "Everyone named is already in this call.",
      { ...stateDetails(d, actor), callees: already },
    );
  }
  const max = d.cfg.maxCallUsers ?? MAX_CALL_USERS;
  if (c.user_ids.length + fresh.length > max) {
    throw new DomainError(
      "failed_precondition",
      "call_full",
      `A call holds at most ${max} users.`,
      { ...stateDetails(d, actor), max_users: max, users: c.user_ids.length },
    );
  }
  ring(d, d.user(actor), fresh, args.busy, d.now + c.timeout * 1000, args.loggedOut);
  d.settle("declined");
  return {
    invited: fresh.filter((u) => !args.busy.has(u.id)).map((u) => u.id),
    busy: fresh.filter((u) => args.busy.has(u.id)).map((u) => u.id),
    already,
  };
}

/**
 * callJoin (advanced mode): an invited user who is not in the call joins it (Accepted, and
 * everyone in the call is told); an accepted user moves the call to `device_id` (nobody is
 * told: only the user's own doc changes).
 */
export function join(
  d: Draft,
  actor: string,
  args: { device_id?: string; extended_data?: string },
): void {
  if (!admit(d, actor, "join")) return;
  const u = d.user(actor);
  if (u.state === "accepted") {
    if (args.device_id !== undefined) u.device_id = args.device_id;
    u.heartbeat_at = d.now;
    u.updated_at = d.now;
    d.changed = true;
    return;
  }
  const patch: Partial<CallUser> = { heartbeat_at: d.now, decline_type: undefined };
  if (args.device_id !== undefined) patch.device_id = args.device_id;
  if (args.extended_data !== undefined) patch.extended_data = args.extended_data;
  d.move(actor, "accepted", patch);
  delete u.decline_type;
  d.announce([actor]);
  d.settle("accepted");
}

/** callQuit (advanced mode): an accepted user leaves; the call ends when nobody accepted is left. */
export function quit(d: Draft, actor: string, args: { extended_data?: string }): void {
  if (!admit(d, actor, "quit")) return;
  d.move(
    actor,
    "quit",
    args.extended_data !== undefined ? { extended_data: args.extended_data } : {},
  );
  d.announce([actor]);
  d.settle("quit");
}

// ---------------------------------------------------------------------------------------
// Creating a call

export interface StartInput {
  call_id: string;
  caller: UserRef;
  /** Callees that exist, in request order. */
  callees: UserRef[];
  /** Callees found busy in the same transaction: declined at once with type 2. */
  busy: ReadonlySet<string>;
  /** Callees with no registered device (logged out); recorded, they still ring. */
  loggedOut?: ReadonlySet<string>;
  type: CallType;
  mode: CallMode;
  /** Seconds. */
  timeout: number;
  extended_data: string;
  push?: PushConfig;
  not_received_check: boolean;
  request_hash: string;
  error_invitees: StartResult["error_invitees"];
}

export function startCall(input: StartInput, now: number, cfg: CoreConfig): Outcome {
  const deadline = now + input.timeout * 1000;
  const users: Record<string, CallUser> = {
    [input.caller.id]: {
      id: input.caller.id,
      name: input.caller.name,
      state: "accepted",
      heartbeat_at: now,
      updated_at: now,
    },
  };
  const result: StartResult = {
    call_id: input.call_id,
    timeout: input.timeout,
    deadline_at: iso(deadline),
    error_invitees: input.error_invitees,
  };
  const call: Call = {
    call_id: input.call_id,
    caller: input.caller,
    type: input.type,
    mode: input.mode,
    state: "ringing",
    users,
    user_ids: [input.caller.id], // ring() adds the callees
    extended_data: input.extended_data,
    timeout: input.timeout,
    heartbeat_interval: cfg.heartbeatIntervalS,
    created_at: now,
    deadline_at: deadline,
    next_deadline_at: null,
    version: 0,
    updated_at: now,
    not_received_check: input.not_received_check,
    ...(input.push ? { push: input.push } : {}),
    start_request_hash: input.request_hash,
    start_result: result,
  };
  const d = new Draft(call, now, cfg);
  ring(d, input.caller, input.callees, input.busy, deadline, input.loggedOut);
  d.settle("declined");
  return d.finish();
}

// ---------------------------------------------------------------------------------------
// The users/{uid} documents, derived from the calls

/** The status a call gives a user: what makes them busy. */
export function statusIn(call: Call, uid: string): UserStatus {
  const u = call.users[uid];
  if (!u || call.state === "ended") return "idle";
  if (isPending(u.state)) return "ringing";
  if (u.state !== "accepted") return "idle";
  return uid === call.caller.id && call.state === "ringing" ? "calling" : "in_call";
}

function incomingFor(call: Call, uid: string): Incoming | null {
  const u = call.users[uid];
  if (!u || !isPending(u.state)) return null;
  return {
    call_id: call.call_id,
    caller: call.caller,
    type: call.type,
    deadline_at: u.deadline_at ?? call.deadline_at,
    extended_data: call.extended_data,
  };
}

/**
 * The `users/{uid}` doc after `call` changed, or null when it needs no write. A user doc
 * that points at another call is left alone when this call makes the user idle.
 */
export function reconcileUser(
  doc: UserDoc | undefined,
  call: Call,
  uid: string,
  now: number,
): UserDoc | null {
  const status = statusIn(call, uid);
  const mine = doc?.call_id === call.call_id;
  if (status === "idle") {
    if (!doc || !mine || doc.status === "idle") return null;
    return { status: "idle", call_id: null, incoming: null, device_id: null, updated_at: now };
  }
  if (doc && !mine && doc.status !== "idle") {
    throw new InvariantError(
      `${uid} would be ${status} in ${call.call_id} while ${doc.status} in ${String(doc.call_id)}`,
    );
  }
  const incoming = incomingFor(call, uid);
  const device_id = call.users[uid]?.device_id ?? null;
  if (
    doc &&
    mine &&
    doc.status === status &&
    doc.device_id === device_id &&
    JSON.stringify(doc.incoming) === JSON.stringify(incoming)
  ) {
    return null;
  }
  return { status, call_id: call.call_id, incoming, device_id, updated_at: now };
}

/**
 * The `users/{uid}` doc that `call` implies for a user it keeps busy, without reading it:
 * every write that makes a user busy in a call writes their doc in the same transaction,
 * and nothing else may point a busy user's doc elsewhere (the start path's busy check). So
 * commands on an existing call need not read the docs of the users it already holds.
 * Undefined when the call leaves the user idle (then the doc may belong to another call).
 */
export function impliedUserDoc(call: Call, uid: string): UserDoc | undefined {
  const status = statusIn(call, uid);
  if (status === "idle") return undefined;
  return {
    status,
    call_id: call.call_id,
    incoming: incomingFor(call, uid),
    device_id: call.users[uid]?.device_id ?? null,
    updated_at: call.updated_at,
  };
}

function viewOf(call: Call | undefined, uid: string): string {
  if (!call) return "";
  return JSON.stringify([statusIn(call, uid), incomingFor(call, uid), call.users[uid]?.device_id]);
}

/** The users whose `users/{uid}` doc may need a write after `before` became `after`. */
export function affectedUsers(before: Call | undefined, after: Call): string[] {
  return after.user_ids.filter((uid) => viewOf(before, uid) !== viewOf(after, uid));
}

/**
 * The mutable draft of one call during one transaction: the stored call plus what the change
 * produces (notifications, post-commit effects). Commands, timeouts and call creation all
 * work on a Draft; `finish` seals it into the Outcome that the adapter writes.
 */
import type { Change, Move } from "./callbacks.js";
import { DERIVATIONS } from "./derivations.js";
import type { Effect } from "./effects.js";
import { DomainError, InvariantError } from "./errors.js";
import type { BodyOf, Notice, NotificationPath } from "./notifications.js";
import { nextDeadline, taskNeeded } from "./schedule.js";
import { canMove } from "./transitions.js";
import {
  isPending,
  type Call,
  type CallUser,
  type CoreConfig,
  type EndReason,
  type UserState,
} from "./types.js";

export interface Outcome {
  call: Call;
  notices: Notice[];
  /** False when nothing needs writing. */
  changed: boolean;
  /** What must happen once this outcome has committed. */
  effects: Effect[];
}

/** The command a draft runs: its actor, and the device an answering command named. */
export type Acted = NonNullable<Change["acted"]>;

export class Draft {
  readonly call: Call;
  readonly notices: Notice[] = [];
  /** Every user's state change, in order: what the callbacks are derived from. */
  readonly moves: Move[] = [];
  /** The command being run, its actor and the device it named (set when admitted). */
  acted: Acted | undefined;
  changed = false;
  private closing = false;
  /** The call as stored before this change; undefined for a call being created. */
  private readonly before: Call | undefined;

  constructor(
    call: Call,
    readonly now: number,
    readonly cfg: CoreConfig,
    opts: { creating?: boolean } = {},
  ) {
    this.before = opts.creating ? undefined : call;
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
    this.moves.push({ uid, from: u.state, to, closing: this.closing });
    Object.assign(u, patch, { state: to, updated_at: this.now });
    this.changed = true;
  }

  /** Queues a notification; an undelivered invitee is told nothing (screening.ts). */
  notify<P extends NotificationPath>(to: string, path: P, body: BodyOf<P>): void {
    if (this.call.users[to]?.undelivered) return;
    this.notices.push({ to, path, body: { call_id: this.call.call_id, ...body } } as Notice);
  }

  /**
   * Tells of users whose state just changed (`/call/notify_user_state_changed`), to the
   * audience of docs/protocol.md#state-change-audience: every user Inviting, Received,
   * NotYetReceived, Accepted or Quit (a user who left still follows the call). Rejected,
   * Canceled and Timeout users hear nothing more. The moves that end a call are told by the
   * end notifications.
   */
  announce(uids: readonly string[]): void {
    if (uids.length === 0) return;
    const users = uids.map((id) => {
      const u = this.user(id);
      return { id, state: u.state, extended_data: u.extended_data ?? "" };
    });
    // Others' extended_data reaches only the users in the call now (accepted): an invitee
    // still ringing, or one who left, gets the states alone (docs/protocol.md#call-data).
    const statesOnly = users.map((u) => ({ ...u, extended_data: "" }));
    for (const to of this.call.user_ids) {
      const s = this.user(to).state;
      if (isPending(s) || s === "accepted" || s === "quit") {
        const mine = (u: (typeof users)[number], i: number) =>
          u.id === to ? u : (statesOnly[i] as (typeof users)[number]);
        this.notify(to, "/call/notify_user_state_changed", {
          users: s === "accepted" ? users : users.map(mine),
        });
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
   * Closes the call: accepted users quit, invitees still ringing are canceled (and told so
   * unless the caller of close() sends them another notification). Which reason: ending.ts.
   */
  close(reason: EndReason, opts: { by?: string; tellPending: boolean; at?: number }): void {
    this.closing = true;
    for (const u of this.inState(isPending)) {
      this.move(u.id, "canceled");
      if (opts.tellPending) {
        this.notify(u.id, "/call/notify_call_canceled", { caller_id: this.inviterId });
      }
    }
    for (const u of this.inState((s) => s === "accepted")) this.move(u.id, "quit");
    this.closing = false;
    const c = this.call;
    c.state = "ended";
    c.end_reason = reason;
    c.ended_at = opts.at ?? this.now;
    if (opts.by !== undefined) c.ended_by = opts.by;
    this.changed = true;
  }

  /**
   * Runs a command on the draft; if it throws, the draft is as before (a command never
   * half-applies), so overdue timeouts applied earlier can still be written.
   */
  attempt<R>(fn: (d: Draft) => R): { ok: true; value: R } | { ok: false; error: DomainError } {
    const saved = structuredClone(this.call);
    const [notices, moves, acted, changed] = [
      this.notices.length,
      this.moves.length,
      this.acted,
      this.changed,
    ];
    try {
      return { ok: true, value: fn(this) };
    } catch (e) {
      Object.assign(this.call, saved);
      for (const k of Object.keys(this.call) as (keyof Call)[]) {
        if (!(k in saved)) delete this.call[k];
      }
      this.notices.length = notices;
      this.moves.length = moves;
      this.acted = acted;
      this.changed = changed;
      this.closing = false;
      if (e instanceof DomainError) return { ok: false, error: e };
      throw e;
    }
  }

  /** Seals the draft: version for stable event ids, the next deadline, the effects. */
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
    // A call with nothing left to fall due keeps no `task_at` (one whose task already ran
    // included): the sweep's due index is `task_at`, and must not keep finding it.
    const clearTask = next === null && pending !== null;
    if (clearTask) this.changed = true;
    const effects: Effect[] = [];
    if (schedule !== null)
      effects.push({ kind: "schedule_deadline", call_id: c.call_id, at: schedule });
    if (unschedule !== null) {
      effects.push({ kind: "cancel_deadline", call_id: c.call_id, at: unschedule });
    }
    if (effects.length > 0) this.changed = true;
    // The channels' derivations (core/derivations.ts): those numbered by the version first,
    // as if it moved; it moves when they or the notices have anything.
    const change = { before: this.before, moves: this.moves, acted: this.acted, now: this.now };
    const derive = (versioned: boolean, call: Call) =>
      this.changed
        ? DERIVATIONS.filter((d) => d.versioned === versioned).flatMap((d) =>
            d.derive({ ...change, call }),
          )
        : [];
    const numbered = derive(true, { ...c, version: c.version + 1 });
    if (this.changed) {
      if (this.notices.length > 0 || numbered.length > 0) c.version += 1;
      c.next_deadline_at = next;
      if (schedule !== null) c.task_at = schedule;
      if (unschedule !== null || clearTask) c.task_at = null;
      c.updated_at = this.now;
    }
    effects.push(...numbered, ...derive(false, c));
    return { call: c, notices: this.notices, changed: this.changed, effects };
  }
}

/**
 * The stress run's oracle: after every step it asks the reference model
 * (test/support/referenceModel.ts) to explain what the database holds. A step's commands run
 * concurrently and deadlines fall due while they run, so the oracle searches for one
 * serialization of the step's commands and deadlines that (a) respects real time (a command
 * answered before another was sent comes first; a deadline before a command sent after it,
 * after a command answered before it), (b) gives every command the answer the server gave, and
 * (c) ends in the database's state: every call's state, end reason and users' states (with
 * their deadlines and heartbeats while live), every users/{uid} status, and exactly the
 * notifications the step wrote. No serialization: a difference, reported with the model's
 * closest attempt.
 */
import { createHash } from "node:crypto";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import {
  canonicalBody,
  command,
  emptyState,
  fire,
  isRinging,
  nextDue,
  noteKey,
  shiftTime,
  type Answer,
  type Command,
  type Due,
  type MDoc,
  type MState,
} from "./referenceModel.js";
import { names } from "./names.js";
import { sharedUserIds } from "./referenceBlocks.js";

/** One command of a step as the server answered it. */
export interface Op {
  cmd: Command;
  answer: Answer;
  /** Client clock (the emulators share it): before the first attempt, after the last answer. */
  sent: number;
  answered: number;
}

interface ViewUser {
  state: string;
  decline_type?: number;
  deadline_at?: number;
  heartbeat_at?: number;
}
interface ViewCall {
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

/** Notes in `now` and not in `before` (a multiset difference); deletions are reported. */
function delta(
  before: Record<string, number>,
  now: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(now)])) {
    const n = (now[k] ?? 0) - (before[k] ?? 0);
    if (n !== 0) out[k] = n;
  }
  return out;
}

const TOL = 50;

function sameAnswer(p: Answer, o: Answer): boolean {
  if (p.ok !== o.ok) return false;
  if (!p.ok || !o.ok) return !p.ok && !o.ok && p.code === o.code && p.reason === o.reason;
  const keys = [
    "call_id",
    "state",
    "end_reason",
    "user_state",
    "invited",
    "busy",
    "already",
  ] as const;
  return keys.every(
    (k) => o[k] === undefined || JSON.stringify(p[k] ?? null) === JSON.stringify(o[k] ?? null),
  );
}

const show = (a: Answer) =>
  a.ok
    ? `ok ${JSON.stringify({ state: a.state, end_reason: a.end_reason, user_state: a.user_state, invited: a.invited, busy: a.busy, already: a.already })}`
    : `${a.code} ${a.reason}`;

export function label(cmd: Command): string {
  const who = cmd.actor.slice(0, 6);
  const call = cmd.call_id.slice(0, 6);
  if (cmd.name === "startCall")
    return `${who} startCall ${call} ${cmd.mode} t=${cmd.timeout}${cmd.check ? " check" : ""} -> ${cmd.callees.map((c) => c.slice(0, 6)).join(",")}`;
  if (cmd.name === "inviteToCall")
    return `${who} inviteToCall ${call} -> ${cmd.callees.map((c) => c.slice(0, 6)).join(",")}`;
  return `${who} ${cmd.name} ${call}`;
}

/** Differences between the model's state and the database, readable; [] when they agree. */
export function diffState(s: MState, v: View, stepNotes: Record<string, number>): string[] {
  const out: string[] = [];
  for (const id of new Set([...Object.keys(s.calls), ...Object.keys(v.calls)])) {
    const m = s.calls[id];
    const d = v.calls[id];
    if (!m || !d) {
      out.push(
        `call ${id}: ${m ? "the model has it, the database not" : "the database has it, the model not"}`,
      );
      continue;
    }
    if (m.state !== d.state || (m.end_reason ?? null) !== d.end_reason) {
      out.push(
        `call ${id}: model ${m.state}/${m.end_reason ?? "-"}, database ${d.state}/${d.end_reason ?? "-"} (its next deadline ${d.next_deadline_at}, read at ${v.readStart})`,
      );
    }
    if (JSON.stringify(sharedUserIds(m)) !== JSON.stringify(d.user_ids)) {
      out.push(
        `call ${id}: model names ${sharedUserIds(m).join(",")}, database ${d.user_ids.join(",")}`,
      );
    }
    for (const uid of m.user_ids) {
      const mu = m.users[uid];
      const du = d.users[uid];
      if (!mu || !du) continue;
      if (mu.state !== du.state || (mu.decline_type ?? null) !== (du.decline_type ?? null)) {
        out.push(
          `call ${id}: ${uid} is ${mu.state}${mu.decline_type ? `(${mu.decline_type})` : ""} in the model, ${du.state}${du.decline_type ? `(${du.decline_type})` : ""} in the database`,
        );
      }
      if (m.state === "ended") continue;
      if (isRinging(mu.state) && mu.deadline_at !== du.deadline_at) {
        out.push(
          `call ${id}: ${uid}'s deadline is ${mu.deadline_at} in the model, ${du.deadline_at} in the database`,
        );
      }
      if (mu.state === "accepted" && mu.heartbeat_at !== du.heartbeat_at) {
        out.push(
          `call ${id}: ${uid}'s heartbeat is ${mu.heartbeat_at} in the model, ${du.heartbeat_at} in the database`,
        );
      }
    }
  }
  for (const uid of new Set([...Object.keys(s.docs), ...Object.keys(v.docs)])) {
    const m = s.docs[uid] ?? { status: "idle", call_id: null };
    const d = v.docs[uid] ?? { status: "idle", call_id: null };
    if (m.status !== d.status || (m.status !== "idle" && m.call_id !== d.call_id)) {
      out.push(
        `users/${uid}: model ${m.status} in ${m.call_id}, database ${d.status} in ${d.call_id}`,
      );
    }
  }
  for (const k of new Set([...Object.keys(s.notes), ...Object.keys(stepNotes)])) {
    const m = s.notes[k] ?? 0;
    const d = stepNotes[k] ?? 0;
    if (m !== d) out.push(`notification ${k}: model ${m}, database ${d}`);
  }
  return out;
}

class Budget extends Error {}

/**
 * Finds a serialization of `ops` and the deadlines falling due that explains the view.
 * `now` gives each op's server time for the times it stamps (deadlines, heartbeats), taken
 * from the database where the op's time window allows it.
 */
export function explain(
  s0: MState,
  ops: Op[],
  v: View,
  stepNotes: Record<string, number>,
  budget = 20_000,
): { state: MState; nodes: number; order: string[] } | { diff: string; nodes: number } {
  let nodes = 0;
  const memo = new Set<string>();
  let best = { depth: -1, why: "" };
  const now = ops.map((op) => stampTime(op, v));
  const dues = (s: MState): Due[] =>
    Object.values(s.calls)
      .map(nextDue)
      .filter((d): d is Due => d !== undefined);
  // The closest attempt: a full serialization with the fewest differences, else the one
  // that got furthest before an answer differed.
  const fail = (depth: number, path: string[], why: string, misses = Infinity) => {
    const score = misses === Infinity ? depth : 1_000_000 - misses;
    if (score > best.depth) best = { depth: score, why: `${path.join("\n  ")}\n  => ${why}` };
  };
  const finish = (s: MState, path: string[], depth: number): MState | undefined => {
    for (;;) {
      const forced = dues(s).filter((d) => d.at < v.readStart - TOL);
      if (!forced.length) break;
      const d = forced.sort((a, b) => a.at - b.at)[0] as Due;
      fire(s, d.call_id);
      path = [...path, `deadline ${d.kind} ${d.call_id.slice(0, 6)} at ${d.at}`];
    }
    for (;;) {
      const diff = diffState(s, v, stepNotes);
      if (!diff.length) return s;
      fail(depth, path, `the database differs:\n    ${diff.join("\n    ")}`, diff.length);
      const optional = dues(s)
        .filter((d) => d.at <= v.readEnd + TOL)
        .sort((a, b) => a.at - b.at)[0];
      if (!optional) return undefined;
      fire(s, optional.call_id);
      path = [
        ...path,
        `deadline ${optional.kind} ${optional.call_id.slice(0, 6)} at ${optional.at}`,
      ];
      depth += 1;
    }
  };
  // A branch that has told someone more than the database did, or ended a call otherwise
  // than the database shows, cannot recover: notifications and ended calls never go back.
  // Cutting it at once keeps a wrong early choice from costing the whole budget below it.
  const deadEnd = (s: MState): string | undefined => {
    for (const [k, n] of Object.entries(s.notes)) {
      if (n > (stepNotes[k] ?? 0))
        return `notification ${k}: model ${n}, database ${stepNotes[k] ?? 0}`;
    }
    for (const c of Object.values(s.calls)) {
      if (c.state !== "ended") continue;
      const d = v.calls[c.call_id];
      if (!d || d.state !== "ended" || d.end_reason !== (c.end_reason ?? null))
        return `call ${c.call_id}: model ended/${c.end_reason ?? "-"}, database ${d?.state}/${d?.end_reason ?? "-"}`;
    }
    return undefined;
  };
  const rec = (s: MState, rest: number[], path: string[]): MState | undefined => {
    if (++nodes > budget) throw new Budget();
    const key = createHash("sha1").update(JSON.stringify(s)).digest("base64") + rest.join(",");
    if (memo.has(key)) return undefined;
    memo.add(key);
    if (!rest.length) return finish(structuredClone(s), path, path.length);
    const pending = dues(s);
    type Cand = { at: number; op?: number; due?: Due };
    const cands: Cand[] = [];
    const plain = JSON.stringify(s);
    for (const i of rest) {
      const op = ops[i] as Op;
      if (rest.some((j) => (ops[j] as Op).answered + TOL < op.sent)) continue;
      if (pending.some((d) => d.at < op.sent - TOL)) continue;
      // A refusal that may come now, gets its answer here and changes nothing goes now, with
      // no other branch: a serialization placing it later stays one with it here (what had
      // to precede it already has; a refusal changes nothing there either). This keeps wide
      // steps, where half the commands are refused, searchable.
      const s2 = structuredClone(s);
      const said = !op.answer.ok ? command(s2, op.cmd, now[i] as number, op.answer) : undefined;
      if (said && sameAnswer(said, op.answer) && JSON.stringify(s2) === plain) {
        return rec(
          s2,
          rest.filter((j) => j !== i),
          [...path, `${label(op.cmd)}: ${show(op.answer)} [${op.sent}..${op.answered}]`],
        );
      }
      // Ops in the order the server stamped them, where the database shows it.
      cands.push({ at: now[i] as number, op: i });
    }
    for (const d of pending) {
      if (rest.some((j) => (ops[j] as Op).answered + TOL < d.at)) continue;
      cands.push({ at: d.at, due: d });
    }
    cands.sort((a, b) => a.at - b.at);
    for (const c of cands) {
      const s2 = structuredClone(s);
      if (c.op !== undefined) {
        const op = ops[c.op] as Op;
        const said = command(s2, op.cmd, now[c.op] as number, op.answer);
        const step = `${label(op.cmd)}: ${show(op.answer)} [${op.sent}..${op.answered}, stamp ${now[c.op]}]`;
        if (!sameAnswer(said, op.answer)) {
          fail(
            path.length,
            path,
            `${label(op.cmd)}: the model answers ${show(said)}, the server ${show(op.answer)}`,
          );
          continue;
        }
        const dead = deadEnd(s2);
        if (dead) {
          fail(path.length, [...path, step], dead);
          continue;
        }
        const r = rec(
          s2,
          rest.filter((j) => j !== c.op),
          [...path, step],
        );
        if (r) return r;
      } else if (c.due) {
        fire(s2, c.due.call_id);
        const dead = deadEnd(s2);
        if (dead) {
          fail(path.length, path, `deadline ${c.due.kind} ${c.due.call_id.slice(0, 6)}: ${dead}`);
          continue;
        }
        const r = rec(s2, rest, [
          ...path,
          `deadline ${c.due.kind} ${c.due.call_id.slice(0, 6)} at ${c.due.at}`,
        ]);
        if (r) return r;
      }
    }
    return undefined;
  };
  try {
    const state = rec(
      s0,
      ops.map((_, i) => i),
      [],
    );
    if (state) return { state, nodes, order: [] };
    return { diff: best.why, nodes };
  } catch (e) {
    if (!(e instanceof Budget)) throw e;
    return {
      diff: `no serialization found within ${budget} tries; closest:\n  ${best.why}`,
      nodes,
    };
  }
}

/**
 * The server time an op stamped, as the database shows it (an invitation's deadline less the
 * call's timeout, an accepted user's heartbeat), when that lies in the op's time window; else
 * the time it was answered (and the database's stamp then shows as a difference).
 */
function stampTime(op: Op, v: View): number {
  const inWindow = (t: number | undefined) =>
    t !== undefined && t >= op.sent - TOL && t <= op.answered + TOL ? t : undefined;
  const cmd = op.cmd;
  const c = v.calls[cmd.call_id];
  if (c && (cmd.name === "startCall" || cmd.name === "inviteToCall")) {
    for (const id of cmd.callees) {
      const d = c.users[id]?.deadline_at;
      if (d === undefined) continue;
      const t = inWindow(d - c.timeout * 1000);
      if (t !== undefined) return t;
    }
    if (cmd.name === "startCall") {
      const t = inWindow(c.users[cmd.actor]?.heartbeat_at);
      if (t !== undefined) return t;
    }
  }
  if (c && cmd.name !== "startCall" && cmd.name !== "inviteToCall") {
    const t = inWindow(c.users[cmd.actor]?.heartbeat_at);
    if (t !== undefined) return t;
  }
  return op.answered;
}

/** The oracle of one scenario: the model's state, carried from step to step. */
export class Oracle {
  state: MState = emptyState();
  private notes: Record<string, number> = {};
  comparisons = 0;
  /** Steps whose overdue deadlines needed the sweep (their deadline tasks were late). */
  nudges = 0;
  nodes = 0;
  maxNodes = 0;

  reset(): void {
    this.state = emptyState();
    this.notes = {};
  }

  /** Before a time jump: the deadlines overdue by `at` apply first, then every live clock moves. */
  jump(at: number, msBack: number): void {
    for (;;) {
      const d = Object.values(this.state.calls)
        .map(nextDue)
        .filter((x): x is Due => x !== undefined && x.at < at - TOL)
        .sort((a, b) => a.at - b.at)[0];
      if (!d) break;
      fire(this.state, d.call_id);
    }
    shiftTime(this.state, msBack);
  }

  /** Explains a step; returns a readable difference, or undefined when the model agrees. */
  async step(db: Firestore, ops: Op[], nudge?: () => Promise<void>): Promise<string | undefined> {
    const { view: v, nudged } = await readView(db, nudge);
    if (nudged) this.nudges += 1;
    return this.compare(v, ops);
  }

  /** Explains what the database holds (`v`) after a step's `ops`; see `step`. */
  compare(v: View, ops: Op[]): string | undefined {
    // Invitation deadlines of calls started in this step come from the ops (see stampTime).
    const stepNotes = delta(this.notes, v.notes);
    // The state's notes are what the model wrote since the last step: none, or those of the
    // deadlines a time jump applied (they belong to this step's comparison).
    const s0 = structuredClone(this.state);
    const r = explain(s0, ops, v, stepNotes);
    this.comparisons += 1;
    this.nodes += r.nodes;
    this.maxNodes = Math.max(this.maxNodes, r.nodes);
    if ("diff" in r) return r.diff;
    this.state = r.state;
    this.state.notes = {};
    this.notes = v.notes;
    return undefined;
  }
}

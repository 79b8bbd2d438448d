/**
 * The stress oracle's search (test/support/oracle.ts): a serialization of a step's commands
 * and the deadlines falling due that respects real time, gives every command the server's
 * answer and ends in the database's state; the closest attempt when there is none.
 */
import { createHash } from "node:crypto";
import {
  command,
  fire,
  nextDue,
  type Answer,
  type Command,
  type Due,
  type MState,
} from "./referenceModel.js";
import { diffState, label, sameAnswer, show } from "./oracleChecks.js";
import type { View } from "./oracleView.js";

/** One command of a step as the server answered it. */
export interface Op {
  cmd: Command;
  answer: Answer;
  /** Client clock (the emulators share it): before the first attempt, after the last answer. */
  sent: number;
  answered: number;
}

export const TOL = 50;

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

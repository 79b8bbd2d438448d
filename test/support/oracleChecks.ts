/**
 * The stress oracle's comparisons (test/support/oracle.ts): the notifications a step wrote, an
 * answer against the server's, a command's readable label, and the model's state against the
 * database's view, difference by difference.
 */
import { isRinging, type Answer, type Command, type MState } from "./referenceModel.js";
import { sharedUserIds } from "./referenceBlocks.js";
import type { View } from "./oracleView.js";

/** Notes in `now` and not in `before` (a multiset difference); deletions are reported. */
export function delta(
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

export function sameAnswer(p: Answer, o: Answer): boolean {
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

export const show = (a: Answer) =>
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

/**
 * The reference model's block lists (docs/protocol.md#who-may-ring-whom), written from the
 * protocol, not the implementation: `blockUser`/`unblockUser` keep each user's list, and a
 * start or an invitation leaves a callee who blocked the inviter undelivered. Such an invitee
 * is named in the call (the others see them ring, then time out or be canceled, and they count
 * toward its size) but is told nothing, never made busy, never declined as busy, left out of
 * the call's shared `user_ids`, and a command of theirs on it is refused `not_in_call`.
 * test/support/referenceCommands.ts calls these hooks; the ring limits are off in the stress run.
 */
import type { Answer, MCall, MState } from "./referenceState.js";

export type BlockCommand = {
  name: "blockUser" | "unblockUser";
  actor: string;
  /** Always "": a block names no call (the oracle's labels and stamps read `call_id`). */
  call_id: "";
  user_id: string;
};

export const isBlockCommand = (cmd: { name: string }): cmd is BlockCommand =>
  cmd.name === "blockUser" || cmd.name === "unblockUser";

/** Applies a block command: repeatable, never looks `user_id` up, answers ok. */
export function blockCommand(s: MState, cmd: BlockCommand): Answer {
  const mine = new Set(s.blocked?.[cmd.actor] ?? []);
  if (cmd.name === "blockUser") mine.add(cmd.user_id);
  else mine.delete(cmd.user_id);
  s.blocked = { ...s.blocked, [cmd.actor]: [...mine].sort() };
  if (!mine.size) delete s.blocked[cmd.actor];
  if (!Object.keys(s.blocked).length) delete s.blocked;
  return { ok: true, call_id: "" };
}

/** Of `callees` (new to the call), those who blocked `inviter`: not to be delivered. */
export function screened(s: MState, inviter: string, callees: readonly string[]): Set<string> {
  return new Set(callees.filter((id) => s.blocked?.[id]?.includes(inviter)));
}

/** Records the undelivered invitees of one invitation on the call. */
export function markUndelivered(c: MCall, ids: ReadonlySet<string>): void {
  if (!ids.size) return;
  c.undelivered = [...(c.undelivered ?? []), ...ids];
}

/** Whether `uid` is an undelivered invitee of `c`: told nothing, a stranger to its commands. */
export const isUndelivered = (c: MCall, uid: string): boolean =>
  c.undelivered?.includes(uid) ?? false;

/** The call's shared `user_ids`: who may read it (the undelivered left out). */
export const sharedUserIds = (c: MCall): string[] =>
  c.user_ids.filter((id) => !isUndelivered(c, id));

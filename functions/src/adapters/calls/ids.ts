/**
 * Call ids a client chooses are scoped to their caller (docs/protocol.md#startcall): the
 * chosen id names the call when it is free or already the caller's own; when another user
 * took it first, the caller's call gets `<chosen>.<hash of caller and chosen>` instead. A
 * client cannot choose an id with a `.` (model/commands.ts), so no one can take that one first
 * either, and a retry of the same start finds the same call (the twin is read only while
 * the chosen id is another user's). Server-made ids are Firestore auto-ids (about 119 random
 * bits), which no one can guess.
 */
import { createHash } from "node:crypto";

export function scopedCallId(callerId: string, chosen: string): string {
  const h = createHash("sha256").update(`${callerId}\0${chosen}`).digest("base64url");
  return `${chosen}.${h.slice(0, 22)}`;
}

/** Which id a start with a chosen id takes, from what the two candidates hold. */
export function pickCallId<C extends { caller: { id: string } }>(
  callerId: string,
  chosen: string,
  atChosen: C | undefined,
  atScoped: C | undefined,
): { call_id: string; existing: C | undefined } {
  const scoped = scopedCallId(callerId, chosen);
  if (atScoped) return { call_id: scoped, existing: atScoped }; // a retry after a taken id
  if (atChosen && atChosen.caller.id !== callerId) return { call_id: scoped, existing: undefined };
  return { call_id: chosen, existing: atChosen };
}

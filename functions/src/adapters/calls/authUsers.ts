/**
 * Who exists: callees are Firebase Auth users, looked up in one batch with the actor. Names
 * others see come from the Auth profile's display name; a name in the request only stands in
 * when the profile has none (docs/protocol.md#names), normalized (core/names.ts).
 */
import { getAuth } from "firebase-admin/auth";
import { normalizeName } from "../../core/names.js";
import type { StartResult, UserRef } from "../../core/types.js";

export interface Lookup {
  /** Existing users, in request order, named as their profile (else the request) says. */
  found: UserRef[];
  /** Callees who are no Auth user: not invited (`error_invitees` in startCall's answer). */
  missing: StartResult["error_invitees"];
  /** The actor's profile display name, when the profile has one. */
  actorName?: string;
}

export async function lookupCallees(
  actor: string,
  callees: readonly { id: string; name?: string }[],
): Promise<Lookup> {
  const uids = [actor, ...callees.map((c) => c.id)].map((uid) => ({ uid }));
  const { users } = await getAuth().getUsers(uids);
  const known = new Map(users.map((u) => [u.uid, u]));
  const found: UserRef[] = [];
  const missing: Lookup["missing"] = [];
  for (const c of callees) {
    const user = known.get(c.id);
    if (user) found.push({ id: c.id, name: normalizeName(user.displayName || c.name) });
    else missing.push({ id: c.id, reason: "user_not_found" });
  }
  const actorName = known.get(actor)?.displayName;
  return { found, missing, ...(actorName ? { actorName } : {}) };
}

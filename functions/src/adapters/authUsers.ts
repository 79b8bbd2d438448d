/** Who exists: callees are Firebase Auth users, looked up in one batch. */
import { getAuth } from "firebase-admin/auth";
import type { StartResult, UserRef } from "../core/types.js";

export interface Lookup {
  /** Existing users, in request order, named as the request or their profile says. */
  found: UserRef[];
  /** Callees who are no Auth user: not invited (`error_invitees` in startCall's answer). */
  missing: StartResult["error_invitees"];
}

export async function lookupCallees(
  callees: readonly { id: string; name?: string }[],
): Promise<Lookup> {
  const { users } = await getAuth().getUsers(callees.map((c) => ({ uid: c.id })));
  const known = new Map(users.map((u) => [u.uid, u]));
  const found: UserRef[] = [];
  const missing: Lookup["missing"] = [];
  for (const c of callees) {
    const user = known.get(c.id);
    if (user) found.push({ id: c.id, name: c.name ?? user.displayName ?? "" });
    else missing.push({ id: c.id, reason: "user_not_found" });
  }
  return { found, missing };
}

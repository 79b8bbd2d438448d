import { findCallees } from "../adapters/callees.js";
import { runInvite } from "../adapters/commands.js";
import { context } from "../adapters/config.js";
import { validated } from "../adapters/validatedOnCall.js";
import { inviteToCallSchema } from "../schemas.js";

/**
 * callingInvite (advanced mode): an accepted user invites more users into the call. Answers
 * the call's state and who was invited, declined busy, already in the call or no user.
 */
export const inviteToCall = validated(inviteToCallSchema, async (caller, data) => {
  const ctx = context();
  const { found, missing, loggedOut } = await findCallees(ctx, caller.uid, data.callees);
  const r = await runInvite(ctx, data.call_id, caller.uid, { callees: found, loggedOut });
  return { ...r, error_invitees: missing };
});

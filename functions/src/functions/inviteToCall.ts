import { HttpsError } from "firebase-functions/v2/https";
import { lookupCallees } from "../adapters/authUsers.js";
import { runInviteToCall } from "../adapters/calls.js";
import { loggedOut } from "../adapters/devices.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { inviteToCallSchema } from "../schemas.js";

/**
 * callingInvite (advanced mode): an accepted user invites more users into the call. Answers
 * the call's state and who was invited, declined busy, already in the call or no user.
 */
export const inviteToCall = validatedOnCall(inviteToCallSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  if (data.callees.some((c) => c.id === caller.uid)) {
    throw new HttpsError("invalid-argument", "callees: must not include yourself.", {
      reason: "invalid_argument",
      field: "callees",
    });
  }
  const ctx = context();
  const [{ found, missing }, offline] = await Promise.all([
    lookupCallees(data.callees),
    loggedOut(
      ctx,
      data.callees.map((c) => c.id),
    ),
  ]);
  if (found.length === 0) {
    throw new HttpsError("not-found", "None of the callees is a user.", {
      reason: "user_not_found",
      error_invitees: missing,
    });
  }
  const r = await runInviteToCall(ctx, data.call_id, caller.uid, found, offline);
  return { ...r, error_invitees: missing };
});

import { findCallees } from "../adapters/callees.js";
import { context } from "../adapters/config.js";
import { requestHash, runStartCall } from "../adapters/start.js";
import { validatedOnCall } from "../adapters/validatedOnCall.js";
import { startCallSchema } from "../schemas.js";

/** /call/start_call (ZIM callInvite): invite 1..9 callees; busy ones are declined at once. */
export const startCall = validatedOnCall(startCallSchema, async (caller, data) => {
  const ctx = context();
  const { found, missing, loggedOut, actorName } = await findCallees(ctx, caller.uid, data.callees);
  const { call_id, ...body } = data;
  // The profile's display name when it has one; the body's only stands in (docs/protocol.md#names).
  const name = actorName || data.caller?.name || caller.name;
  return runStartCall(ctx, data, {
    ...(call_id !== undefined ? { call_id } : {}),
    caller: { id: caller.uid, name },
    callees: found,
    error_invitees: missing,
    loggedOut,
    request_hash: requestHash(caller.uid, body),
  });
});

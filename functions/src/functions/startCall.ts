import { findCallees } from "../adapters/callees.js";
import { context } from "../adapters/config.js";
import { requestHash, runStartCall } from "../adapters/start.js";
import { validatedOnCall } from "../adapters/validatedOnCall.js";
import { startCallSchema } from "../schemas.js";

/** /call/start_call (ZIM callInvite): invite 1..9 callees; busy ones are declined at once. */
export const startCall = validatedOnCall(startCallSchema, async (caller, data) => {
  const ctx = context();
  const { found, missing, loggedOut } = await findCallees(ctx, caller.uid, data.callees);
  const { call_id, ...body } = data;
  return runStartCall(ctx, data, {
    ...(call_id !== undefined ? { call_id } : {}),
    caller: { id: caller.uid, name: data.caller?.name ?? caller.name },
    callees: found,
    error_invitees: missing,
    loggedOut,
    request_hash: requestHash(caller.uid, body),
  });
});

import { HttpsError } from "firebase-functions/v2/https";
import { lookupCallees } from "../adapters/authUsers.js";
import { loggedOut } from "../adapters/devices.js";
import { requestHash, runStartCall } from "../adapters/calls.js";
import { context, defaultCallTimeout } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { startCallSchema } from "../schemas.js";

/** /call/start_call (ZIM callInvite): invite 1..9 callees; busy ones are declined at once. */
export const startCall = validatedOnCall(startCallSchema, async (caller, data) => {
  assertSelf(caller, data.caller?.id, "caller.id");
  if (data.callees.some((c) => c.id === caller.uid)) {
    throw new HttpsError("invalid-argument", "callees: must not include the caller.", {
      reason: "invalid_argument",
      field: "callees",
    });
  }
  const ctx = context();
  const ids = data.callees.map((c) => c.id);
  const [{ found: callees, missing: errorInvitees }, offline] = await Promise.all([
    lookupCallees(data.callees),
    loggedOut(ctx, ids),
  ]);
  if (callees.length === 0) {
    throw new HttpsError("not-found", "None of the callees is a user.", {
      reason: "user_not_found",
      error_invitees: errorInvitees,
    });
  }
  const { call_id: callId, ...body } = data;
  return runStartCall(ctx, {
    ...(callId !== undefined ? { call_id: callId } : {}),
    request_hash: requestHash(caller.uid, body),
    caller: { id: caller.uid, name: data.caller?.name ?? caller.name },
    callees,
    error_invitees: errorInvitees,
    type: data.type,
    mode: data.mode,
    timeout: data.timeout ?? defaultCallTimeout(),
    extended_data: data.extended_data ?? "",
    ...(data.push ? { push: data.push } : {}),
    not_received_check: data.not_received_check ?? false,
    logged_out: offline,
  });
});

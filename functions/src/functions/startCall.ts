import { getAuth } from "firebase-admin/auth";
import { HttpsError } from "firebase-functions/v2/https";
import { requestHash, runStartCall } from "../adapters/calls.js";
import { context, defaultCallTimeout } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import type { StartResult, UserRef } from "../core/types.js";
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
  const ctx = context(); // also initialises the admin app before Auth is used
  const { users } = await getAuth().getUsers(data.callees.map((c) => ({ uid: c.id })));
  const known = new Map(users.map((u) => [u.uid, u]));
  const callees: UserRef[] = [];
  const errorInvitees: StartResult["error_invitees"] = [];
  for (const c of data.callees) {
    const user = known.get(c.id);
    if (user) callees.push({ id: c.id, name: c.name ?? user.displayName ?? "" });
    else errorInvitees.push({ id: c.id, reason: "user_not_found" });
  }
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
  });
});

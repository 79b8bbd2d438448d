import { checkCallees, lookUp } from "../adapters/callees.js";
import { context } from "../adapters/config.js";
import { requestHash, runStartBeside } from "../adapters/start.js";
import { validated } from "../adapters/validatedOnCall.js";
import { normalizeName } from "../core/names.js";
import { checkPushSize } from "../core/pushSize.js";
import { startCallSchema } from "../schemas.js";

/**
 * /call/start_call (ZIM callInvite): invite 1..9 callees; busy ones are declined at once. The
 * Auth lookup and the device check run beside the transaction's reads (start.ts).
 */
export const startCall = validated(startCallSchema, async (caller, data) => {
  const ctx = context();
  checkPushSize(data.push, caller.uid); // a ring too big to send would ring nobody, silently
  checkCallees(ctx, caller.uid, data.callees);
  const { call_id, ...body } = data;
  const request_hash = requestHash(caller.uid, body);
  const parties = lookUp(ctx, caller.uid, data.callees).then(
    ({ found, missing, loggedOut, actorName }) => ({
      ...(call_id !== undefined ? { call_id } : {}),
      // The profile's display name when it has one; the body's only stands in
      // (docs/protocol.md#names).
      caller: {
        id: caller.uid,
        name: normalizeName(actorName || data.caller?.name || caller.name),
      },
      callees: found,
      error_invitees: missing,
      loggedOut,
      request_hash,
    }),
  );
  return runStartBeside(
    ctx,
    data,
    {
      ...(call_id !== undefined ? { call_id } : {}),
      caller_id: caller.uid,
      callee_ids: data.callees.map((c) => c.id),
      request_hash,
    },
    parties,
  );
});

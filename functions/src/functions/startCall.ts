import { checkCallees, lookUp } from "../adapters/calls/callees.js";
import { deployedContext } from "../adapters/deployedContext.js";
import { askPolicy, policySettings } from "../adapters/calls/policy.js";
import { requestHash, runStartBeside } from "../adapters/calls/start.js";
import { validated } from "../adapters/callable/validated.js";
import { normalizeName } from "../core/names.js";
import { checkPushSize } from "../core/pushSize.js";
import { startCallSchema } from "../model/commands.js";

/**
 * /call/start_call (ZIM callInvite): invite 1..9 callees; busy ones are declined at once. The
 * Auth lookup and the device check run beside the transaction's reads (start.ts).
 */
export const startCall = validated(startCallSchema, async (caller, data) => {
  const ctx = deployedContext();
  checkPushSize(data.push, caller.uid); // a ring too big to send would ring nobody, silently
  checkCallees(ctx, caller.uid, data.callees);
  const { call_id, ...body } = data;
  const request_hash = requestHash(caller.uid, body);
  const parties = lookUp(ctx, caller.uid, data.callees).then(
    ({ found, missing, loggedOut, devices, actorName }) => ({
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
      devices,
      request_hash,
    }),
  );
  // The policy hook is asked before the transaction, not inside it: it is I/O outside
  // Firestore that may take its whole 1.5 s budget, and awaited inside it would hold the
  // locks of the caller's and callees' user docs that long (stalling their other commands)
  // and be asked again on a retry. Here it runs while the lookups above are under way, so a
  // prompt hook adds little; with no hook, nothing is awaited. A start the caller's bucket
  // refuses asks the hook too: the general command bucket (callable/validated.ts) bounds that.
  const denied = await askPolicy(policySettings(), {
    caller_id: caller.uid,
    callee_ids: data.callees.map((c) => c.id),
    type: data.type,
    mode: data.mode,
    extended_data: data.extended_data ?? "",
  });
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
    denied,
  );
});

import { findCallees } from "../adapters/calls/callees.js";
import { runInvite } from "../adapters/calls/runCommand.js";
import { deployedContext } from "../adapters/deployedContext.js";
import type { Ctx } from "../adapters/context.js";
import { collections } from "../adapters/store/firestore.js";
import { askPolicy, policySettings, type PolicySettings } from "../adapters/calls/policy.js";
import { validated } from "../adapters/callable/validated.js";
import { inviteToCallSchema } from "../model/commands.js";
import type { InviteResult } from "../model/wire.js";

/**
 * callingInvite (advanced mode): an accepted user invites more users into the call. Answers
 * the call's state and who was invited, declined busy, already in the call or no user.
 */
export const inviteToCall = validated(
  inviteToCallSchema,
  async (caller, data): Promise<InviteResult> => {
    const ctx = deployedContext();
    const policy = policySettings();
    // The hook, as for startCall, before the transaction (startCall.ts says why), beside the
    // lookups; only then is the call read outside it, for the hook's type and extended_data.
    const [{ found, missing, loggedOut, devices }, denied] = await Promise.all([
      findCallees(ctx, caller.uid, data.callees),
      policy ? askAboutInvite(ctx, policy, data.call_id, caller.uid, data.callees) : undefined,
    ]);
    const who = { callees: found, loggedOut };
    const r = await runInvite(ctx, data.call_id, caller.uid, who, denied, devices);
    return { ...r, error_invitees: missing };
  },
);

/** Asks the hook about an invitation into a call the actor is in (else the transaction refuses). */
async function askAboutInvite(
  ctx: Ctx,
  policy: PolicySettings,
  callId: string,
  actor: string,
  callees: readonly { id: string }[],
): Promise<ReadonlySet<string> | undefined> {
  const call = (await collections(ctx.db).calls.doc(callId).get()).data();
  if (!call?.users[actor]) return undefined;
  return askPolicy(policy, {
    caller_id: actor,
    callee_ids: callees.map((c) => c.id),
    type: call.type,
    mode: call.mode,
    extended_data: call.extended_data,
  });
}

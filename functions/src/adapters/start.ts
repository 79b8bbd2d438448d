/**
 * startCall's transaction: reads the call id (a retry?), the caller's rate-limit bucket and
 * every user's doc in one round trip, brings the users' current calls up to date (the busy
 * check), and lets the core decide and create the call.
 */
import { createHash } from "node:crypto";
import { admitStart, startCall, type StartInput } from "../core/create.js";
import type { Invitees } from "../core/ringing.js";
import type { StartResult, UserRef } from "../core/types.js";
import { currentCalls } from "./busy.js";
import type { Ctx } from "./context.js";
import { collections } from "./firestore.js";
import { transact } from "./transaction.js";

/** A stable hash of what a caller asked for, to recognise a retried startCall. */
export function requestHash(uid: string, body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([uid, body]))
    .digest("hex");
}

/** Who the start is between, as found before the transaction (Auth users, devices). */
export interface StartParties extends Omit<Invitees, "busy"> {
  /** The call id the request gave, if any (else the server makes one). */
  call_id?: string;
  caller: UserRef;
  error_invitees: StartResult["error_invitees"];
  /** See requestHash. */
  request_hash: string;
}

export async function runStartCall(
  ctx: Ctx,
  input: StartInput,
  parties: StartParties,
): Promise<StartResult> {
  const callId = parties.call_id ?? collections(ctx.db).calls.doc().id;
  const callerId = parties.caller.id;
  const uids = [callerId, ...parties.callees.map((c) => c.id)];
  return transact(ctx, async (uow) => {
    const [existing, bucket] = await Promise.all([
      uow.readCallAndUsers(parties.call_id, uids),
      ctx.cfg.startLimit ? uow.readBucket(callerId) : undefined,
    ]);
    const admission = admitStart(
      {
        call_id: callId,
        caller_id: callerId,
        request_hash: parties.request_hash,
        existing,
        bucket,
      },
      uow.now,
      ctx.cfg,
    );
    if (admission.kind === "replay") return admission.result;
    const busyIn = await currentCalls(ctx, uow, uids);
    const outcome = startCall(
      input,
      {
        ...parties,
        call_id: callId,
        busy: new Set(parties.callees.map((c) => c.id).filter((u) => busyIn(u) !== undefined)),
        callerBusyIn: busyIn(callerId),
      },
      uow.now,
      ctx.cfg,
    );
    uow.stage(undefined, outcome);
    if (admission.bucket) uow.writeBucket(callerId, admission.bucket);
    return outcome.call.start_result;
  });
}

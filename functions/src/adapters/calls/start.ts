/**
 * startCall's transaction: reads the call id (a retry?), the caller's rate-limit bucket and
 * every user's doc in one round trip, brings the users' current calls up to date (the busy
 * check), and lets the core decide and create the call.
 */
import { createHash } from "node:crypto";
import { admitStart, startCall, type StartInput } from "../../core/create.js";
import type { Invitees } from "../../core/ringing.js";
import { limitsOn, screen } from "../../core/screening.js";
import { InvariantError } from "../../core/errors.js";
import type { StartResult, UserRef } from "../../core/types.js";
import { clock, mark } from "../timings.js";
import { pickCallId, scopedCallId } from "./ids.js";
import { currentCalls } from "./busy.js";
import type { RegisteredDevice } from "./devices.js";
import type { Ctx } from "../context.js";
import { collections } from "../store/firestore.js";
import { transact } from "../store/transaction.js";

/** A stable hash of what a caller asked for, to recognise a retried startCall. */
export function requestHash(uid: string, body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([uid, body]))
    .digest("hex");
}

/** Who the start is between, as found before the transaction (Auth users, devices). */
export interface StartParties extends Omit<Invitees, "busy" | "undelivered"> {
  /** The call id the request gave, if any (else the server makes one). */
  call_id?: string;
  caller: UserRef;
  error_invitees: StartResult["error_invitees"];
  /** See requestHash. */
  request_hash: string;
  /** The callees' registered devices, when the lookup read them (Known, channels/channel.ts). */
  devices?: ReadonlyMap<string, readonly RegisteredDevice[]>;
}

export function runStartCall(
  ctx: Ctx,
  input: StartInput,
  parties: StartParties,
  denied?: ReadonlySet<string>,
): Promise<StartResult> {
  return runStartBeside(
    ctx,
    input,
    {
      ...(parties.call_id !== undefined ? { call_id: parties.call_id } : {}),
      caller_id: parties.caller.id,
      callee_ids: parties.callees.map((c) => c.id),
      request_hash: parties.request_hash,
    },
    Promise.resolve(parties),
    denied,
  );
}

/** What a start names before anything is looked up: enough to read its documents. */
export interface StartRequest {
  call_id?: string;
  caller_id: string;
  /** Every callee the request names (those who turn out to be no user are read, not used). */
  callee_ids: readonly string[];
  request_hash: string;
}

/**
 * startCall with its lookups (Auth users, devices: `parties`) running beside the
 * transaction's first reads rather than before them: the reads need only the ids the request
 * names, and the decision waits for whichever of the two is slower. A lookup that fails
 * (none of the callees is a user) refuses the start with nothing written but the caller's
 * charged bucket; a replay answers without it. Who is not to be rung (blocks, ring limits) is
 * read in the same first round trip (screening.ts).
 */
export async function runStartBeside(
  ctx: Ctx,
  input: StartInput,
  request: StartRequest,
  parties: Promise<StartParties>,
  /** Whom the policy hook denied, asked before the transaction (startCall.ts). */
  denied?: ReadonlySet<string>,
): Promise<StartResult> {
  parties.catch(() => undefined); // awaited in the transaction; a replay never needs it
  const madeId = collections(ctx.db).calls.doc().id;
  const callerId = request.caller_id;
  const chosen = request.call_id;
  const uids = [callerId, ...request.callee_ids];
  return transact(ctx, async (uow) => {
    const t0 = clock();
    const atChosen = await uow.readCallAndUsers(
      chosen,
      uids,
      { actor: callerId, callees: request.callee_ids, logs: limitsOn(ctx.cfg.ringLimits) },
      ctx.cfg.startLimit ? callerId : undefined,
    );
    const bucket = uow.bucket;
    // Only when another user holds the chosen id is its caller-scoped twin read (ids.ts):
    // a round trip more for the squatted case, none for any other start.
    const atScoped =
      chosen !== undefined && atChosen && atChosen.caller.id !== callerId
        ? (await uow.readCalls([scopedCallId(callerId, chosen)])).values().next().value
        : undefined;
    mark("tx_read", t0);
    const { call_id: callId, existing } =
      chosen === undefined
        ? { call_id: madeId, existing: undefined }
        : pickCallId(callerId, chosen, atChosen, atScoped);
    const admission = admitStart(
      {
        call_id: callId,
        caller_id: callerId,
        request_hash: request.request_hash,
        existing,
        bucket,
      },
      uow.now,
      ctx.cfg,
    );
    if (admission.kind === "replay") return admission.result;
    // Charged before anything is looked up: a start refused below (no such callees, a busy
    // caller) still costs, so probing who exists is as limited as calling.
    if (admission.bucket) uow.writeBucket(callerId, admission.bucket);
    const t1 = clock();
    const busyIn = await currentCalls(ctx, uow, uids);
    mark("tx_read_busy", t1);
    const t2 = clock();
    const found = await parties;
    mark("lookup_wait", t2); // how much longer the lookups took than the reads
    uow.knowDevices(found.devices);
    const screened = screen(
      callerId,
      found.callees.map((c) => c.id),
      uow.screenFacts,
      uow.now,
      ctx.cfg.ringLimits,
      denied,
    );
    const outcome = startCall(
      input,
      {
        ...found,
        call_id: callId,
        busy: new Set(found.callees.map((c) => c.id).filter((u) => busyIn(u) !== undefined)),
        undelivered: screened.undelivered,
        callerBusyIn: busyIn(callerId),
      },
      uow.now,
      ctx.cfg,
    );
    uow.stage(undefined, outcome);
    for (const [callee, log] of screened.logs) uow.writeRingLog(callee, log);
    const result = outcome.call.start_result;
    if (!result) throw new InvariantError(`new call ${outcome.call.call_id} has no start_result`);
    return result;
  });
}

/**
 * Commands on an existing call, each one transaction through callTransaction: the one-to-one
 * commands as the core gives them, and the two whose decision needs more facts (who is busy
 * elsewhere) for inviteToCall and joinCall.
 */
import { resultFor, type CommandResult } from "../../core/commands.js";
import type { Draft } from "../../core/draft.js";
import { DomainError } from "../../core/errors.js";
import { invite, join, joinNeedsBusyCheck, type InviteResult } from "../../core/group.js";
import type { Invitees } from "../../core/ringing.js";
import { limitsOn, screen, type RingLog } from "../../core/screening.js";
import type { JoinCallInput } from "../../model/commands.js";
import { currentCalls } from "./busy.js";
import type { RegisteredDevice } from "./devices.js";
import type { Ctx } from "../context.js";
import { callTransaction } from "../store/transaction.js";

/** Runs a core command by `actor` on call `callId`; answers the call's and the actor's state. */
export async function runCommand(
  ctx: Ctx,
  callId: string,
  actor: string,
  command: (d: Draft) => void,
): Promise<CommandResult> {
  const { call } = await callTransaction(ctx, callId, { act: command });
  return resultFor(call, actor);
}

/** Applies the overdue timeouts of one call (deadline task, sweep); true when anything changed. */
export async function settleCall(ctx: Ctx, callId: string): Promise<boolean> {
  try {
    return (await callTransaction(ctx, callId, { act: () => undefined })).changed;
  } catch (e) {
    if (e instanceof DomainError && e.reason === "call_not_found") return false;
    throw e;
  }
}

/**
 * inviteToCall: reads the call and the invitees' docs in one round trip, brings the calls of
 * invitees new to this call up to date (the busy check, atomic with the invitation).
 */
export async function runInvite(
  ctx: Ctx,
  callId: string,
  actor: string,
  who: Omit<Invitees, "busy" | "undelivered">,
  /** Whom the policy hook denied, asked before the transaction (inviteToCall.ts). */
  denied?: ReadonlySet<string>,
  /** The callees' registered devices, when the lookup read them (callees.ts). */
  devices?: ReadonlyMap<string, readonly RegisteredDevice[]>,
): Promise<CommandResult & InviteResult> {
  const ids = who.callees.map((c) => c.id);
  let logs = new Map<string, RingLog>();
  const { call, value } = await callTransaction(ctx, callId, {
    users: ids,
    screen: { actor, callees: ids, logs: limitsOn(ctx.cfg.ringLimits) },
    facts: async (d, uow) => {
      const fresh = ids.filter((u) => !d.call.users[u]);
      const busyIn = await currentCalls(ctx, uow, fresh, callId);
      const screened = screen(actor, fresh, uow.screenFacts, uow.now, ctx.cfg.ringLimits, denied);
      logs = screened.logs;
      uow.knowDevices(devices);
      return {
        busy: new Set(fresh.filter((u) => busyIn(u) !== undefined)),
        undelivered: screened.undelivered,
        uow,
      };
    },
    act: (d, { busy, undelivered, uow }) => {
      const r = invite(d, actor, { ...who, busy, undelivered });
      // Only an invitation that rang anyone counts against the limits (a refusal throws first).
      for (const [callee, log] of logs)
        if (r.invited.includes(callee) || r.busy.includes(callee)) uow.writeRingLog(callee, log);
      return r;
    },
  });
  return { ...resultFor(call, actor), ...value };
}

/**
 * joinCall: a user who left the call (or never answered) may join it unless another call
 * holds them busy, checked in the same transaction; an accepted user switches devices.
 */
export async function runJoin(
  ctx: Ctx,
  callId: string,
  actor: string,
  input: Pick<JoinCallInput, "device_id" | "extended_data">,
): Promise<CommandResult> {
  const { call } = await callTransaction(ctx, callId, {
    users: [actor],
    facts: async (d, uow) =>
      joinNeedsBusyCheck(d, actor)
        ? (await currentCalls(ctx, uow, [actor], callId))(actor)
        : undefined,
    act: (d, elsewhere) => join(d, actor, input, elsewhere),
  });
  return resultFor(call, actor);
}

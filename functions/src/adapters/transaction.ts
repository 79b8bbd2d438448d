/**
 * The one transaction path (docs/protocol.md#after-a-change-commits). Every entry point
 * (start, command, invite, join, deadline task, sweep) reads, lets the core decide, stages
 * the outcome and commits in one Firestore transaction, then carries out the post-commit
 * effects the core decided. A refusal still commits the overdue timeouts it applied.
 */
import { applyDue } from "../core/timeouts.js";
import { Draft } from "../core/draft.js";
import { DomainError, type Settled } from "../core/errors.js";
import type { Call } from "../core/types.js";
import type { Ctx } from "./context.js";
import { deliverEffects } from "./effects.js";
import { collections } from "./firestore.js";
import { isLostTransaction } from "./grpcErrors.js";
import { logs } from "./logs.js";
import { UnitOfWork } from "./unitOfWork.js";

/** Whole-transaction attempts when the database loses one under us (see isLostTransaction). */
const LOST_TRANSACTION_ATTEMPTS = 3;

/**
 * Runs `decide` in one transaction with a fresh UnitOfWork; `now` is read inside, so a retry
 * decides again. `decide` may throw a DomainError: what it staged before is still written,
 * and the error reaches the caller after the commit. A transaction the database lost (it
 * restarted, or the transaction expired) runs again from its first read.
 */
export async function transact<T>(ctx: Ctx, decide: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  const col = collections(ctx.db);
  let uow: UnitOfWork | undefined;
  let result: Settled<T>;
  for (let attempt = 1; ; attempt++) {
    try {
      result = await ctx.db.runTransaction(async (tx) => {
        uow = new UnitOfWork(tx, col, Date.now(), ctx.outbox ?? false, ctx.push ?? false);
        let r: Settled<T>;
        try {
          r = { ok: true, value: await decide(uow) };
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          r = { ok: false, error: e };
        }
        await uow.stageWrites();
        return r;
      });
      break;
    } catch (e) {
      if (!isLostTransaction(e) || attempt >= LOST_TRANSACTION_ATTEMPTS) throw e;
      logs.transactionLost(attempt);
    }
  }
  const notified = uow?.notified() ?? [];
  if (notified.length > 0) logs.notified(notified);
  if (uow) await deliverEffects(ctx.effects, uow.effects());
  if (!result.ok) throw result.error;
  return result.value;
}

export const callNotFound = (callId: string): DomainError =>
  new DomainError("not_found", "call_not_found", `No call ${callId}.`, { call_id: callId });

/** A command on one existing call, in the transaction's order. */
export interface CallStep<F, R> {
  /** User docs to read with the call, in the same round trip. */
  users?: readonly string[];
  /** Facts the command needs, read once the call's overdue timeouts are applied. */
  facts?: (d: Draft, uow: UnitOfWork) => Promise<F>;
  /** The core's decision; a DomainError leaves the call as the timeouts made it. */
  act: (d: Draft, facts: F) => R;
}

/**
 * Runs `step` on call `callId` after its overdue timeouts, in one transaction. Answers the
 * call as committed, whether anything changed, and the step's value. A missing call is
 * `not-found`.
 */
export function onCall<F, R>(
  ctx: Ctx,
  callId: string,
  step: CallStep<F, R>,
): Promise<{ call: Call; changed: boolean; value: R }> {
  return transact(ctx, async (uow) => {
    const call = await uow.readCallAndUsers(callId, step.users ?? []);
    if (!call) throw callNotFound(callId);
    const d = new Draft(call, uow.now, ctx.cfg);
    applyDue(d);
    const facts = step.facts ? await step.facts(d, uow) : (undefined as F);
    const r = d.attempt((x) => step.act(x, facts));
    const outcome = d.finish();
    uow.stage(call, outcome);
    if (!r.ok) throw r.error;
    return { call: outcome.call, changed: outcome.changed, value: r.value };
  });
}

/**
 * The one transaction path (docs/protocol.md#after-a-change-commits). Every entry point
 * (start, command, invite, join, deadline task, sweep) reads, lets the core decide, stages
 * the outcome and commits in one Firestore transaction, then carries out the post-commit
 * effects the core decided. A refusal still commits the overdue timeouts it applied.
 */
import { applyDue } from "../../core/timeouts.js";
import { Draft } from "../../core/draft.js";
import { DomainError, type Settled } from "../../core/errors.js";
import type { Call } from "../../core/types.js";
import type { Ctx } from "../context.js";
import type { Delivery } from "../../channels/channel.js";
import { CHANNELS } from "../../channels/index.js";
import { clock, count, mark } from "../timings.js";
import {
  deliverEffects,
  inlineEffects,
  type EffectHandlers,
  type Early,
} from "../../channels/deliver.js";
import { collections } from "./firestore.js";
import { isLostTransaction } from "./grpcErrors.js";
import { logs } from "../logs.js";
import { UnitOfWork, type ScreenRead } from "./unitOfWork.js";

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
  let early: Early = new Map();
  let result: Settled<T>;
  let decided = 0;
  const on = CHANNELS.filter((c) => c.on(ctx));
  for (let attempt = 1; ; attempt++) {
    try {
      result = await ctx.db.runTransaction(async (tx) => {
        count("tx_attempts");
        // The request sends inline only where its context has an inline handler: only then
        // may an outbox row be committed claimed for it (channels/push/inline.ts).
        uow = new UnitOfWork(tx, col, Date.now(), on, ctx.effects?.inline !== undefined);
        let r: Settled<T>;
        try {
          r = { ok: true, value: await decide(uow) };
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          r = { ok: false, error: e };
        }
        await uow.stageWrites();
        // Deadline tasks are enqueued beside the commit, not after it (see startEarly).
        early = startEarly(ctx.effects, uow.deliveries(), uow.now);
        decided = clock();
        return r;
      });
      mark("commit", decided);
      break;
    } catch (e) {
      if (!isLostTransaction(e) || attempt >= LOST_TRANSACTION_ATTEMPTS) throw e;
      logs.transactionLost(attempt);
    }
  }
  const notified = uow?.notified() ?? [];
  if (notified.length > 0) logs.notified(notified);
  const t0 = clock();
  if (uow) {
    // The task path and the inline send (a push from this request: channels/push/inline.ts)
    // side by side; the answer waits for both, the inline one within its budget.
    const deliveries = uow.deliveries();
    await Promise.all([
      deliverEffects(ctx.effects, deliveries, early),
      inlineEffects(ctx.effects, deliveries),
    ]);
  }
  mark("post_commit", t0);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Starts the first attempt of each delivery its channel lets go early (a deadline task due
 * far enough ahead, named after the call and the moment: channels/deadlines) while the commit
 * is in flight, so that the answer waits for the slower of the two, not their sum. An attempt
 * whose commit fails leaves at most a task that finds nothing due. Retries, and recording a
 * delivery that failed (`undelivered`), still happen after the commit, in deliverEffects.
 */
function startEarly(
  handlers: EffectHandlers | undefined,
  deliveries: Delivery[],
  now: number,
): Early {
  const early = new Map<Delivery, Promise<void>>();
  if (!handlers) return early;
  for (const d of deliveries) {
    if (!d.channel.early?.(d.effect, now)) continue;
    const attempt = handlers.deliver(d);
    attempt.catch(() => undefined); // judged after the commit (or moot if it fails)
    early.set(d, attempt);
  }
  return early;
}

export const callNotFound = (callId: string): DomainError =>
  new DomainError("not_found", "call_not_found", `No call ${callId}.`, { call_id: callId });

/** A command on one existing call, in the transaction's order. */
export interface CallStep<F, R> {
  /** User docs to read with the call, in the same round trip. */
  users?: readonly string[];
  /** Blocks and ring logs to read in that round trip too (inviteToCall). */
  screen?: ScreenRead;
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
export function callTransaction<F, R>(
  ctx: Ctx,
  callId: string,
  step: CallStep<F, R>,
): Promise<{ call: Call; changed: boolean; value: R }> {
  return transact(ctx, async (uow) => {
    const t0 = clock();
    const call = await uow.readCallAndUsers(callId, step.users ?? [], step.screen);
    mark("tx_read", t0);
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

/**
 * The busy check's reads (docs/protocol.md#busy): the calls that users' docs name, brought
 * up to date in the same transaction, so a stale status never makes anyone busy.
 */
import { Draft } from "../../core/draft.js";
import { busyIn } from "../../core/projection.js";
import { applyDue } from "../../core/timeouts.js";
import type { Call } from "../../core/types.js";
import type { Ctx } from "../context.js";
import type { UnitOfWork } from "../store/unitOfWork.js";

/**
 * Reads the current calls of `uids` (as their user docs, already read, name them) in one
 * round trip and stages what their overdue timeouts changed. Returns the call that keeps
 * each user busy, if any. A call named in `except` is left to the caller (the call a command
 * is about).
 */
export async function currentCalls(
  ctx: Ctx,
  uow: UnitOfWork,
  uids: readonly string[],
  except?: string,
): Promise<(uid: string) => Call | undefined> {
  const callsOf = [...new Set(uids.map((u) => uow.user(u)?.call_id ?? null))].filter(
    (c): c is string => c !== null && c !== except,
  );
  const read = await uow.readCalls(callsOf);
  const current = new Map<string, Call>();
  for (const callOf of callsOf) {
    const call = read.get(callOf);
    if (!call) {
      // A user doc pointing at a call that is gone: the user is idle.
      for (const u of uids) if (uow.user(u)?.call_id === callOf) uow.forgetDangling(u);
      continue;
    }
    const d = new Draft(call, uow.now, ctx.cfg);
    applyDue(d);
    const outcome = d.finish();
    uow.stage(call, outcome);
    current.set(callOf, outcome.call);
  }
  return (uid) => {
    const callOf = uow.user(uid)?.call_id;
    return busyIn(callOf ? current.get(callOf) : undefined, uid);
  };
}

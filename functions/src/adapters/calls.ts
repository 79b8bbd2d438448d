/**
 * The call service: each entry point is one Firestore transaction that reads what it needs,
 * lets the pure core decide (overdue timeouts first, then the command), and writes the
 * outcome through a UnitOfWork. A refused command still writes the timeouts it applied.
 */
import { createHash } from "node:crypto";
import { Timestamp, type Firestore } from "firebase-admin/firestore";
import { DomainError } from "../core/errors.js";
import {
  applyDue,
  Draft,
  resultFor,
  startCall,
  statusIn,
  type CommandResult,
  type StartInput,
} from "../core/machine.js";
import type { Call, CoreConfig, StartResult, UserRef } from "../core/types.js";
import { collections } from "./firestore.js";
import type { Meter } from "./meter.js";
import { UnitOfWork } from "./unitOfWork.js";

/** What every entry point needs: where the data is, and the configured timings. */
export interface Ctx {
  db: Firestore;
  cfg: CoreConfig;
  /** Counts reads and writes when present (the benchmark's cost table). */
  meter?: Meter;
}

/** One transaction with a fresh UnitOfWork; `now` is read inside, so a retry re-decides. */
function transact<T>(ctx: Ctx, fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  const col = collections(ctx.db);
  return ctx.db.runTransaction((tx) => fn(new UnitOfWork(tx, col, Date.now(), ctx.meter)));
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: DomainError };

function unwrap<T>(r: Settled<T>): T {
  if (!r.ok) throw r.error;
  return r.value;
}

const callNotFound = (callId: string): DomainError =>
  new DomainError("not_found", "call_not_found", `No call ${callId}.`, { call_id: callId });

/** Runs `command` on call `callId` for `actor`, after the call's overdue timeouts. */
export async function runCallCommand(
  ctx: Ctx,
  callId: string,
  actor: string,
  command: (d: Draft) => void,
): Promise<CommandResult> {
  const settled = await transact(ctx, async (uow): Promise<Settled<CommandResult>> => {
    const call = await uow.readCall(callId);
    if (!call) return { ok: false, error: callNotFound(callId) };
    const d = new Draft(call, uow.now, ctx.cfg);
    applyDue(d);
    const r = d.attempt(command);
    const outcome = d.finish();
    uow.stage(call, outcome);
    await uow.commit();
    return r.ok ? { ok: true, value: resultFor(outcome.call, actor) } : r;
  });
  return unwrap(settled);
}

/** Applies the overdue timeouts of one call; true when anything changed. */
export async function settleCall(ctx: Ctx, callId: string): Promise<boolean> {
  return transact(ctx, async (uow) => {
    const call = await uow.readCall(callId);
    if (!call) return false;
    const d = new Draft(call, uow.now, ctx.cfg);
    applyDue(d);
    const outcome = d.finish();
    uow.stage(call, outcome);
    await uow.commit();
    return outcome.changed;
  });
}

export interface StartRequest {
  call_id?: string;
  /** Hash of the request as sent (see requestHash): a retry must match it. */
  request_hash: string;
  caller: UserRef;
  callees: UserRef[];
  error_invitees: StartResult["error_invitees"];
  type: StartInput["type"];
  mode: StartInput["mode"];
  timeout: number;
  extended_data: string;
  push?: StartInput["push"];
  not_received_check: boolean;
}

/** A stable hash of what a caller asked for, to recognise a retried startCall. */
export function requestHash(uid: string, body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([uid, body]))
    .digest("hex");
}

/**
 * Creates a call atomically with the busy check: the caller and every callee are read in
 * the transaction, their current calls brought up to date (overdue timeouts), and a busy
 * callee is declined with type 2 in the same write.
 */
export async function runStartCall(ctx: Ctx, req: StartRequest): Promise<StartResult> {
  const callId = req.call_id ?? collections(ctx.db).calls.doc().id;
  const hash = req.request_hash;
  const uids = [req.caller.id, ...req.callees.map((c) => c.id)];
  const settled = await transact(ctx, async (uow): Promise<Settled<StartResult>> => {
    // One round trip: the call (a retry of this start?) and every user's doc.
    const existing = await uow.readCallAndUsers(req.call_id, uids);
    if (existing) {
      if (existing.caller.id === req.caller.id && existing.start_request_hash === hash) {
        return { ok: true, value: existing.start_result };
      }
      const error = new DomainError(
        "already_exists",
        "call_exists",
        `Call ${callId} already exists.`,
        {
          call_id: callId,
        },
      );
      return { ok: false, error };
    }
    // Bring each user's current call up to date (one more round trip, only when someone has
    // one), so a stale status never makes anyone busy.
    const callsOf = [...new Set(uids.map((u) => uow.user(u)?.call_id ?? null))].filter(
      (c): c is string => c !== null,
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
    const busyIn = (uid: string): Call | undefined => {
      const callOf = uow.user(uid)?.call_id;
      const call = callOf ? current.get(callOf) : undefined;
      return call && statusIn(call, uid) !== "idle" ? call : undefined;
    };
    const callerCall = busyIn(req.caller.id);
    let result: Settled<StartResult>;
    if (callerCall) {
      result = {
        ok: false,
        error: new DomainError("failed_precondition", "busy", "You are already in a call.", {
          call_id: callerCall.call_id,
          status: statusIn(callerCall, req.caller.id),
        }),
      };
    } else {
      const outcome = startCall(
        {
          call_id: callId,
          caller: req.caller,
          callees: req.callees,
          busy: new Set(req.callees.map((c) => c.id).filter((u) => busyIn(u) !== undefined)),
          type: req.type,
          mode: req.mode,
          timeout: req.timeout,
          extended_data: req.extended_data,
          ...(req.push ? { push: req.push } : {}),
          not_received_check: req.not_received_check,
          request_hash: hash,
          error_invitees: req.error_invitees,
        },
        uow.now,
        ctx.cfg,
      );
      uow.stage(undefined, outcome);
      result = { ok: true, value: outcome.call.start_result };
    }
    await uow.commit();
    return result;
  });
  return unwrap(settled);
}

/**
 * The backstop: finds calls whose earliest deadline has passed, through the indexed
 * `next_deadline_at` field (never a scan of all calls), and settles each in its own
 * transaction. Returns how many calls it examined and changed.
 */
export async function sweepDue(
  ctx: Ctx,
  opts: { now?: number; pageSize?: number; budgetMs?: number; concurrency?: number } = {},
): Promise<{ examined: number; changed: number }> {
  const now = opts.now ?? Date.now();
  const pageSize = opts.pageSize ?? 200;
  const concurrency = opts.concurrency ?? 10;
  const stopAt = Date.now() + (opts.budgetMs ?? 45_000);
  let examined = 0;
  let changed = 0;
  let cursor: FirebaseFirestore.QueryDocumentSnapshot | undefined;
  while (Date.now() < stopAt) {
    let q = ctx.db
      .collection("calls")
      .where("next_deadline_at", "<=", Timestamp.fromMillis(now))
      .orderBy("next_deadline_at")
      .select("next_deadline_at")
      .limit(pageSize);
    if (cursor) q = q.startAfter(cursor);
    const page = await q.get();
    if (ctx.meter) ctx.meter.reads += Math.max(1, page.size); // an empty result bills one read
    if (page.empty) break;
    cursor = page.docs[page.docs.length - 1];
    const ids = page.docs.map((s) => s.id);
    examined += ids.length;
    for (let i = 0; i < ids.length; i += concurrency) {
      const results = await Promise.all(
        ids.slice(i, i + concurrency).map((id) => settleCall(ctx, id)),
      );
      changed += results.filter(Boolean).length;
    }
    if (page.size < pageSize) break;
  }
  return { examined, changed };
}

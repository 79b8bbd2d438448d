/**
 * The call service: each entry point is one Firestore transaction that reads what it needs,
 * lets the pure core decide (overdue timeouts first, then the command), and writes the
 * outcome through a UnitOfWork. A refused command still writes the timeouts it applied.
 */
import { createHash } from "node:crypto";
import { logger } from "firebase-functions";
import { FieldPath, Timestamp, type Firestore } from "firebase-admin/firestore";
import { DomainError } from "../core/errors.js";
import {
  applyDue,
  Draft,
  invite,
  join,
  resultFor,
  startCall,
  statusIn,
  type CommandResult,
  type InviteResult,
  type StartInput,
} from "../core/machine.js";
import {
  isPending,
  type Call,
  type CoreConfig,
  type StartResult,
  type UserRef,
} from "../core/types.js";
import { take } from "../core/rateLimit.js";
import { collections } from "./firestore.js";
import { isLostTransaction } from "./grpcErrors.js";
import type { Meter } from "./meter.js";
import { UnitOfWork } from "./unitOfWork.js";

/** Enqueues the task that applies a call's deadlines at `at` (Cloud Tasks when deployed). */
export interface Scheduler {
  schedule(callId: string, at: number): Promise<void>;
  /** Cancels the pending task for `at`; one that already ran or is gone is no error. */
  cancel(callId: string, at: number): Promise<void>;
}

/** What every entry point needs: where the data is, and the configured timings. */
export interface Ctx {
  db: Firestore;
  cfg: CoreConfig;
  /** Counts reads and writes when present (the benchmark's cost table). */
  meter?: Meter;
  /** Deadline tasks; without one, the sweep alone applies the deadlines. */
  scheduler?: Scheduler;
  /** Fault injection for tests: called at points inside each transaction; may throw. */
  fault?: (point: FaultPoint) => void;
}

/** Where a fault can be injected: after a transaction's writes are staged, before commit. */
export type FaultPoint = "staged";

/** Whole-transaction attempts when the database loses one under us (see isLostTransaction). */
const LOST_TRANSACTION_ATTEMPTS = 3;

/**
 * One transaction with a fresh UnitOfWork; `now` is read inside, so a retry re-decides.
 * A transaction the database lost (it restarted, or the transaction expired) runs again from
 * its first read, as the admin SDK does for contention.
 * Once it has committed, the deadline tasks it decided on are enqueued. A task that fails
 * to enqueue is left to the sweep (the call's next_deadline_at still says when it is due).
 */
async function transact<T>(ctx: Ctx, fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  const col = collections(ctx.db);
  let last: UnitOfWork | undefined;
  const run = () =>
    ctx.db.runTransaction((tx) => {
      last = new UnitOfWork(tx, col, Date.now(), ctx.meter, ctx.fault);
      return fn(last);
    });
  let value: T;
  for (let attempt = 1; ; attempt++) {
    try {
      value = await run();
      break;
    } catch (e) {
      if (!isLostTransaction(e) || attempt >= LOST_TRANSACTION_ATTEMPTS) throw e;
      logger.warn("transaction lost by the database; running it again", { attempt });
    }
  }
  const { scheduler } = ctx;
  if (scheduler && last) {
    await Promise.all(
      last.schedules().map(async ({ callId, at, cancel }) => {
        try {
          if (at !== undefined) await scheduler.schedule(callId, at);
          if (cancel !== undefined) await scheduler.cancel(callId, cancel);
        } catch (e) {
          // A lost task is the sweep's; an uncancelled one runs and finds nothing to do.
          logger.warn("deadline task not enqueued or cancelled", {
            call_id: callId,
            at,
            cancel,
            error: String(e),
          });
        }
      }),
    );
  }
  return value;
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
  /** Callees with no registered device (see devices.loggedOut). */
  logged_out?: ReadonlySet<string>;
}

/** A stable hash of what a caller asked for, to recognise a retried startCall. */
export function requestHash(uid: string, body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify([uid, body]))
    .digest("hex");
}

/**
 * Brings the current calls of `uids` (as their user docs, already read, name them) up to
 * date in this transaction, one round trip for all, and stages what their overdue timeouts
 * changed; so a stale status never makes anyone busy. Returns who is busy in which call.
 * A call named in `except` is left to the caller (the call a command is about).
 */
async function currentCalls(
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
    const call = callOf ? current.get(callOf) : undefined;
    return call && statusIn(call, uid) !== "idle" ? call : undefined;
  };
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
    // One round trip: the call (a retry of this start?) and every user's doc; the caller's
    // rate-limit bucket alongside.
    const limit = ctx.cfg.startLimit;
    const [existing, bucket] = await Promise.all([
      uow.readCallAndUsers(req.call_id, uids),
      limit ? uow.readBucket(req.caller.id) : undefined,
    ]);
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
    const taken = limit ? take(bucket, uow.now, limit) : undefined;
    if (taken && !taken.ok) {
      const error = new DomainError(
        "resource_exhausted",
        "rate_limited",
        "Too many calls started; try again later.",
        { retry_after_ms: taken.retryAfterMs },
      );
      return { ok: false, error };
    }
    const busyIn = await currentCalls(ctx, uow, uids);
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
          ...(req.logged_out ? { loggedOut: req.logged_out } : {}),
          request_hash: hash,
          error_invitees: req.error_invitees,
        },
        uow.now,
        ctx.cfg,
      );
      uow.stage(undefined, outcome);
      if (taken?.ok) uow.writeBucket(req.caller.id, taken.bucket);
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

/**
 * inviteToCall: reads the call and the invitees' docs in one round trip, brings the calls
 * of invitees new to this call up to date (busy check, atomic with the invitation), then
 * lets the core invite them.
 */
export async function runInviteToCall(
  ctx: Ctx,
  callId: string,
  actor: string,
  callees: readonly UserRef[],
  loggedOut?: ReadonlySet<string>,
): Promise<CommandResult & InviteResult> {
  const settled = await transact(
    ctx,
    async (uow): Promise<Settled<CommandResult & InviteResult>> => {
      const call = await uow.readCallAndUsers(
        callId,
        callees.map((c) => c.id),
      );
      if (!call) return { ok: false, error: callNotFound(callId) };
      const d = new Draft(call, uow.now, ctx.cfg);
      applyDue(d);
      const fresh = callees.map((c) => c.id).filter((u) => !d.call.users[u]);
      const busyIn = await currentCalls(ctx, uow, fresh, callId);
      const busy = new Set(fresh.filter((u) => busyIn(u) !== undefined));
      const r = d.attempt((x) =>
        invite(x, actor, { callees, busy, ...(loggedOut ? { loggedOut } : {}) }),
      );
      const outcome = d.finish();
      uow.stage(call, outcome);
      await uow.commit();
      return r.ok ? { ok: true, value: { ...resultFor(outcome.call, actor), ...r.value } } : r;
    },
  );
  return unwrap(settled);
}

/**
 * joinCall: a user who left the call (or never answered) may join it unless another call
 * holds them busy, checked in the same transaction; an accepted user switches devices.
 */
export async function runJoinCall(
  ctx: Ctx,
  callId: string,
  actor: string,
  args: { device_id?: string; extended_data?: string },
): Promise<CommandResult> {
  const settled = await transact(ctx, async (uow): Promise<Settled<CommandResult>> => {
    const call = await uow.readCallAndUsers(callId, [actor]);
    if (!call) return { ok: false, error: callNotFound(callId) };
    const d = new Draft(call, uow.now, ctx.cfg);
    applyDue(d);
    const mine = d.call.users[actor];
    const rejoining = mine !== undefined && !isPending(mine.state) && mine.state !== "accepted";
    let elsewhere: Call | undefined;
    if (rejoining && d.call.state !== "ended" && d.call.mode === "advanced") {
      elsewhere = (await currentCalls(ctx, uow, [actor], callId))(actor);
    }
    const r = elsewhere
      ? {
          ok: false as const,
          error: new DomainError("failed_precondition", "busy", "You are in another call.", {
            call_id: elsewhere.call_id,
            status: statusIn(elsewhere, actor),
          }),
        }
      : d.attempt((x) => join(x, actor, args));
    const outcome = d.finish();
    uow.stage(call, outcome);
    await uow.commit();
    return r.ok ? { ok: true, value: resultFor(outcome.call, actor) } : r;
  });
  return unwrap(settled);
}

/** Where a page of listCalls ends: the last call's creation time and id. */
export interface ListCursor {
  created_at: number;
  call_id: string;
}

/**
 * The calls `uid` is in, newest first (creation time, then id, both descending), `count` a
 * page. Paging by the last call's (created_at, id) never repeats or skips a call while new
 * calls arrive: they sort before every cursor. Overdue timeouts are applied to each entry
 * as shown (the sweep or the next command writes the same result).
 */
export async function listCalls(
  ctx: Ctx,
  uid: string,
  count: number,
  after?: ListCursor,
): Promise<{ calls: Call[]; next: ListCursor | null }> {
  let q = collections(ctx.db)
    .calls.where("user_ids", "array-contains", uid)
    .orderBy("created_at", "desc")
    .orderBy(FieldPath.documentId(), "desc")
    .limit(count + 1);
  if (after) q = q.startAfter(Timestamp.fromMillis(after.created_at), after.call_id);
  const snap = await q.get();
  if (ctx.meter) ctx.meter.reads += Math.max(1, snap.size);
  const now = Date.now();
  const calls = snap.docs.slice(0, count).map((doc) => {
    const d = new Draft(doc.data(), now, ctx.cfg);
    applyDue(d);
    return d.call;
  });
  const last = calls[calls.length - 1];
  return {
    calls,
    next: snap.size > count && last ? { created_at: last.created_at, call_id: last.call_id } : null,
  };
}

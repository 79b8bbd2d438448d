/**
 * 1. Latency, through the firebase web SDK: a command invoked by one user until the other
 * user's snapshot listener sees its effect. In the same run and on the same clients, two
 * floors: (a) a firebase-admin write seen by a listener, (b) the bench-only callable
 * `benchFloorWrite` (one document write) seen by a listener, (c) `benchFloorTransaction` (one
 * transaction, one read and one write), and (d) `benchFloorSameWork`: one transaction over
 * as many documents as ring's, accept's or end's command reads and writes, so that each
 * command's ratio to it is Ringback's own overhead, not its write count.
 */
import { randomUUID } from "node:crypto";
import { newUser, watchDoc, type TestUser } from "../test/support/clients.js";
import { adminDb } from "./lib/admin.js";
import { now, ratio, summarize, type Summary } from "./lib/stats.js";

export interface LatencyOptions {
  iterations: number;
  warmup: number;
  /** Pairs signed in at once (before they are measured, never during). */
  chunk: number;
}

export interface LatencyResult {
  iterations: number;
  users: number;
  ring: Summary;
  accept: Summary;
  end: Summary;
  /** startCall's own round trip (invoke → the callable's answer). */
  startAnswer: Summary;
  floorAdmin: Summary;
  floorCallable: Summary;
  floorTransaction: Summary;
  /** Floor (d), one per command: its documents, in one transaction, with no Ringback logic. */
  floorSameWork: Record<"ring" | "accept" | "end", Summary>;
  /** To floor (d), each command to its own shape. */
  ratiosToSameWork: Record<"ring" | "accept" | "end", { median: number; p95: number }>;
  /** To floor (c). */
  ratios: Record<"ring" | "accept" | "end", { median: number; p95: number }>;
  /** To floor (b), as the benchmark reported before floor (c). */
  ratiosToWrite: Record<"ring" | "accept" | "end", { median: number; p95: number }>;
  /** Medians: ring / accept, and startCall's answer / ring. */
  ringOverAccept: number;
  answerOverRing: number;
  /** startCall's phases as the function recorded them (ms), each summarised. */
  breakdown: Record<string, Summary>;
}

type Samples = Record<
  | "ring"
  | "accept"
  | "end"
  | "startAnswer"
  | "floorAdmin"
  | "floorCallable"
  | "floorTransaction"
  | "floorStart"
  | "floorAccept"
  | "floorEnd",
  number[]
>;

/** The phases of startCall, in the order they happen (functions/src/dev/benchTimings.ts). */
export const PHASES = [
  "validation",
  "auth_lookup",
  "device_check",
  "tx_read",
  "tx_read_busy",
  "lookup_wait",
  "commit",
  "post_commit",
  "total",
  "tx_attempts",
] as const;

/** Invokes `act` and resolves with the milliseconds until `seen` resolves (and `act` has). */
async function timed(act: () => Promise<unknown>, seen: () => Promise<unknown>): Promise<number> {
  const t0 = now();
  const acting = act();
  await seen();
  const t = now() - t0;
  await acting;
  return t;
}

async function lifecycle(
  caller: TestUser,
  callee: TestUser,
  n: number,
  out: Samples | undefined,
  phases: Record<string, number[]>,
): Promise<void> {
  const db = adminDb();
  // The floors' probe docs sit in a subcollection the rules block lets the owner read (it
  // opens no other one below users/{uid}); ids no uid has, so no block ever matches them.
  const probeAdmin = `users/${callee.uid}/blocked/probe-admin`;
  const probeFloor = `users/${callee.uid}/blocked/probe-floor`;
  const probeTx = `users/${callee.uid}/blocked/probe-floorTx`;
  const probeSameWork = `users/${callee.uid}/blocked/probe-floorD`;
  const [watchAdmin, watchFloor, watchTx, watchSameWork] = await Promise.all([
    watchDoc(callee, probeAdmin),
    watchDoc(callee, probeFloor),
    watchDoc(callee, probeTx),
    watchDoc(callee, probeSameWork),
  ]);
  const callId = `bench-${randomUUID()}`;
  let answered = 0;
  let timings: Record<string, number> | undefined;
  const t0 = now();
  const ring = await timed(
    () =>
      caller
        .call<{ timings_ms?: Record<string, number> }>("startCall", {
          call_id: callId,
          callees: [{ id: callee.uid }],
          type: 1,
        })
        .then((r) => {
          answered = now() - t0;
          timings = r.timings_ms;
        }),
    () => callee.waitState((s) => s?.status === "ringing" && s.call_id === callId, "ringing"),
  );
  const accept = await timed(
    () => callee.call("acceptCall", { call_id: callId }),
    () => caller.waitState((s) => s?.status === "in_call" && s.call_id === callId, "in call"),
  );
  const end = await timed(
    () => caller.call("endCall", { call_id: callId }),
    () => callee.waitState((s) => s?.status === "idle", "idle"),
  );
  const floorAdmin = await timed(
    () => db.doc(probeAdmin).set({ n }),
    () => watchAdmin.wait((d) => d?.n === n),
  );
  const floorCallable = await timed(
    () => callee.call("benchFloorWrite", { n }),
    () => watchFloor.wait((d) => d?.n === n),
  );
  const floorTransaction = await timed(
    () => callee.call("benchFloorTransaction", { n }),
    () => watchTx.wait((d) => d?.n === n),
  );
  // Floor (d): the caller runs each command's documents; the callee sees its notification.
  const sameWork = async (shape: "start" | "accept" | "end", k: number) => {
    const m = n * 10 + k;
    return timed(
      () => caller.call("benchFloorSameWork", { n: m, callee: callee.uid, shape }),
      () => watchSameWork.wait((d) => d?.n === m),
    );
  };
  const floorStart = await sameWork("start", 1);
  const floorAccept = await sameWork("accept", 2);
  const floorEnd = await sameWork("end", 3);
  watchAdmin.stop();
  watchFloor.stop();
  watchTx.stop();
  watchSameWork.stop();
  if (out) {
    out.floorStart.push(floorStart);
    out.floorAccept.push(floorAccept);
    out.floorEnd.push(floorEnd);
    out.floorTransaction.push(floorTransaction);
    for (const [k, v] of Object.entries(timings ?? {})) (phases[k] ??= []).push(v);
    out.ring.push(ring);
    out.startAnswer.push(answered);
    out.accept.push(accept);
    out.end.push(end);
    out.floorAdmin.push(floorAdmin);
    out.floorCallable.push(floorCallable);
  }
}

export async function latency(
  opts: LatencyOptions,
  progress: (msg: string) => void,
): Promise<LatencyResult> {
  const samples: Samples = {
    ring: [],
    accept: [],
    end: [],
    startAnswer: [],
    floorAdmin: [],
    floorCallable: [],
    floorTransaction: [],
    floorStart: [],
    floorAccept: [],
    floorEnd: [],
  };
  const phases: Record<string, number[]> = {};
  const total = opts.warmup + opts.iterations;
  for (let done = 0; done < total;) {
    const size = Math.min(opts.chunk, total - done);
    const pairs = await Promise.all(
      Array.from({ length: size }, (_, i) =>
        Promise.all([newUser(`caller${done + i}`), newUser(`callee${done + i}`)]),
      ),
    );
    for (const [caller, callee] of pairs) {
      await lifecycle(caller, callee, done, done >= opts.warmup ? samples : undefined, phases);
      done += 1;
    }
    await Promise.all(pairs.flat().map((u) => u.close()));
    progress(`latency: ${Math.max(0, done - opts.warmup)}/${opts.iterations}`);
  }
  const s = Object.fromEntries(
    Object.entries(samples).map(([k, v]) => [k, summarize(v)]),
  ) as Record<keyof Samples, Summary>;
  return {
    iterations: opts.iterations,
    users: total * 2,
    ...s,
    floorSameWork: { ring: s.floorStart, accept: s.floorAccept, end: s.floorEnd },
    ratiosToSameWork: {
      ring: ratio(s.ring, s.floorStart),
      accept: ratio(s.accept, s.floorAccept),
      end: ratio(s.end, s.floorEnd),
    },
    ratios: {
      ring: ratio(s.ring, s.floorTransaction),
      accept: ratio(s.accept, s.floorTransaction),
      end: ratio(s.end, s.floorTransaction),
    },
    ratiosToWrite: {
      ring: ratio(s.ring, s.floorCallable),
      accept: ratio(s.accept, s.floorCallable),
      end: ratio(s.end, s.floorCallable),
    },
    ringOverAccept: s.ring.median / s.accept.median,
    answerOverRing: s.startAnswer.median / s.ring.median,
    breakdown: Object.fromEntries(
      PHASES.filter((p) => phases[p]?.length).map((p) => [p, summarize(phases[p] ?? [])]),
    ),
  };
}

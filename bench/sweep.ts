/**
 * 3. Sweep scaling: one sweep with 100 overdue calls among 0, 1,000 and 10,000 calls that
 * are not due. The sweep runs in this process (sweepDue, the scheduled function's body) on a
 * project of its own, with a Meter counting its reads and writes. Timed alone too: the sweep's
 * own due queries (its 3 shard groups' first pages, side by side), one of them when it finds
 * nothing (what the emulator spends per query whatever it returns), and the single-field
 * query the sweep used before its index was sharded, for comparison.
 */
import { randomUUID } from "node:crypto";
import { Timestamp } from "firebase-admin/firestore";
import type { Ctx } from "../functions/src/adapters/context.js";
import { collections } from "../functions/src/adapters/store/firestore.js";
import { dueQuery, sweepDue } from "../functions/src/adapters/calls/sweep.js";
import { shardGroups } from "../functions/src/adapters/store/shards.js";
import { startCall } from "../functions/src/core/create.js";
import { adminDb, clearProject, pool } from "./lib/admin.js";
import { startDirect } from "./lib/inProcess.js";
import { instrumented, Meter, totalWrites } from "./lib/meteredFirestore.js";
import { ms, now, summarize, x, type Summary } from "./lib/stats.js";
import type { Section } from "./lib/table.js";

export const SWEEP_PROJECT = "demo-ringback-bench-sweep";
const OVERDUE = 100;

export interface SweepOptions {
  sizes: number[];
  runs: number;
}

export interface SweepPoint {
  notDue: number;
  runs: number;
  time: Summary;
  /** The sweep's due queries alone (3 shard groups side by side, first page). */
  queryTime: Summary;
  /** One shard group's due query that finds nothing. */
  emptyQueryTime: Summary;
  /** The unsharded single-field query (`task_at <= now`), for comparison. */
  unshardedTime: Summary;
  reads: number;
  writes: number;
  examined: number;
  changed: number;
}

export interface SweepResult {
  overdue: number;
  points: SweepPoint[];
  /** Largest against smallest background, medians. */
  timeRatio: number;
  queryTimeRatio: number;
  emptyQueryTimeRatio: number;
  readsRatio: number;
}

const cfg = { heartbeatIntervalS: 20, heartbeatTimeoutMs: 60_000 };

/** Adds `count` ringing calls whose every deadline is a day away, in batches of 500. */
async function addNotDue(ctx: Ctx, count: number): Promise<void> {
  const col = collections(ctx.db);
  const dayLater = Date.now() + 24 * 3600 * 1000;
  const batches = Array.from({ length: Math.ceil(count / 500) }, (_, i) =>
    Math.min(500, count - i * 500),
  );
  await pool(batches, 4, async (size) => {
    const batch = ctx.db.batch();
    for (let i = 0; i < size; i++) {
      const id = `bg-${randomUUID()}`;
      const { call } = startCall(
        { type: 1, mode: "common", timeout: 60, not_received_check: false },
        {
          call_id: id,
          caller: { id: `bg-a-${id}`, name: "a" },
          callees: [{ id: `bg-b-${id}`, name: "b" }],
          busy: new Set(),
          request_hash: id,
          error_invitees: [],
        },
        dayLater,
        cfg,
      );
      batch.set(col.calls.doc(id), call);
    }
    await batch.commit();
  });
}

/** Starts OVERDUE real calls (with their user docs) that time out one second later. */
async function addOverdue(ctx: Ctx): Promise<number> {
  const results = await pool(Array.from({ length: OVERDUE }), 10, () =>
    startDirect(ctx, { caller: `a-${randomUUID()}`, callees: [`b-${randomUUID()}`], timeout: 1 }),
  );
  return Math.max(...results.map((r) => Date.parse(r.deadline_at)));
}

export async function sweepScaling(
  opts: SweepOptions,
  progress: (msg: string) => void,
): Promise<SweepResult> {
  await clearProject(SWEEP_PROJECT);
  const db = adminDb(SWEEP_PROJECT);
  const meter = new Meter();
  const ctx: Ctx = { db: instrumented(db, { meter }), cfg };
  const points: SweepPoint[] = [];
  let present = 0;
  for (const size of [...opts.sizes].sort((a, b) => a - b)) {
    await addNotDue(ctx, size - present);
    present = size;
    const times: number[] = [];
    const queryTimes: number[] = [];
    const emptyTimes: number[] = [];
    const unshardedTimes: number[] = [];
    let reads = 0;
    let writes = 0;
    let examined = 0;
    let changed = 0;
    for (let run = 0; run < opts.runs; run++) {
      const lastDeadline = await addOverdue(ctx);
      await new Promise((r) => setTimeout(r, Math.max(0, lastDeadline - Date.now() + 20)));
      const calls = db.collection("calls");
      const at = Date.now();
      let q0 = now();
      const pages = await Promise.all(shardGroups().map((g) => dueQuery(calls, g, at, 200).get()));
      queryTimes.push(now() - q0);
      const due = pages.reduce((n, p) => n + p.size, 0);
      if (due !== OVERDUE) throw new Error(`sweep bench: ${due} due, not ${OVERDUE}`);
      q0 = now();
      const none = await dueQuery(calls, shardGroups()[0] as number[], 0, 200).get();
      emptyTimes.push(now() - q0);
      if (!none.empty) throw new Error("sweep bench: a call due before 1970");
      q0 = now();
      const unsharded = await calls
        .where("task_at", "<=", Timestamp.fromMillis(at))
        .orderBy("task_at")
        .select("task_at")
        .limit(200)
        .get();
      unshardedTimes.push(now() - q0);
      if (unsharded.size !== OVERDUE) throw new Error(`sweep bench: unsharded ${unsharded.size}`);
      const before = meter.snapshot();
      const t0 = now();
      const r = await sweepDue(ctx);
      times.push(now() - t0);
      const used = meter.since(before);
      if (r.examined !== OVERDUE || r.changed !== OVERDUE) {
        throw new Error(`sweep bench: examined ${r.examined}, changed ${r.changed}`);
      }
      reads = used.reads;
      writes = totalWrites(used);
      examined = r.examined;
      changed = r.changed;
    }
    points.push({
      notDue: size,
      runs: opts.runs,
      time: summarize(times),
      queryTime: summarize(queryTimes),
      emptyQueryTime: summarize(emptyTimes),
      unshardedTime: summarize(unshardedTimes),
      reads,
      writes,
      examined,
      changed,
    });
    progress(`sweep: ${size} not due done`);
  }
  const first = points[0] as SweepPoint;
  const last = points[points.length - 1] as SweepPoint;
  return {
    overdue: OVERDUE,
    points,
    timeRatio: last.time.median / first.time.median,
    queryTimeRatio: last.queryTime.median / first.queryTime.median,
    emptyQueryTimeRatio: last.emptyQueryTime.median / first.emptyQueryTime.median,
    readsRatio: last.reads / first.reads,
  };
}

/** Section 3 of the report: how the sweep's time grows with the calls not due. */
export function sweepSection(r: SweepResult, runs: number): Section {
  const med = (s: Summary) => ms(s.median);
  return {
    title: `3. Sweep: ${r.overdue} overdue calls among N calls not due (${runs} runs each)`,
    head: [
      "N not due",
      "sweep median",
      "sweep p95",
      "its due queries",
      "one empty query",
      "unsharded query",
      "reads",
      "writes",
    ],
    rows: r.points.map((p) => [
      p.notDue,
      med(p.time),
      ms(p.time.p95),
      med(p.queryTime),
      med(p.emptyQueryTime),
      med(p.unshardedTime),
      p.reads,
      p.writes,
    ]),
    notes: [
      `Largest / smallest N: time ${x(r.timeRatio)}, its due queries ${x(r.queryTimeRatio)}, one empty query ${x(r.emptyQueryTimeRatio)}, reads ${x(r.readsRatio)}.`,
      "Medians. Its due queries: the sweep's 3 shard groups' first pages side by side; one empty query: one group's, finding nothing; unsharded: the single-field query the sweep used before sharding.",
    ],
  };
}

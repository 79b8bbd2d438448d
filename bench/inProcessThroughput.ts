/**
 * 5b. Throughput in process: Ringback's own adapters (the transaction path every callable
 * runs, as the cost section calls it) driven from this process by N caller/callee pairs at
 * once against the Firestore emulator, each pair running 1:1 lifecycles (start → accept →
 * end) back to back. No functions emulator is in the way, so this measures Ringback and
 * Firestore (the emulator's), not the emulator's one-request-per-worker processes, which
 * section 5 measures. Deadline tasks are counted, not enqueued: their delivery is section 6's.
 */
import { randomUUID } from "node:crypto";
import { runCommand } from "../functions/src/adapters/calls/runCommand.js";
import type { Ctx } from "../functions/src/adapters/context.js";
import { accept, end } from "../functions/src/core/commands.js";
import { adminDb, clearProject } from "./lib/admin.js";
import { startDirect } from "./lib/inProcess.js";
import { instrumented, Meter } from "./lib/meteredFirestore.js";
import { ms, now, summarize, type Summary } from "./lib/stats.js";
import type { Section } from "./lib/table.js";

export const IN_PROCESS_PROJECT = "demo-ringback-bench-inprocess";

export interface InProcessOptions {
  /** Pairs running at once, one row each. */
  pairs: number[];
  /** How long each row runs, after its warm-up lifecycle per pair. */
  seconds: number;
}

export interface InProcessRow {
  pairs: number;
  lifecycles: number;
  perSecond: number;
  /** Transaction attempts beyond one per command: Firestore's retries on contention. */
  retries: number;
  /** Lifecycles that failed (a command's error, contention that outlasted its retries). */
  errors: number;
  errorKinds: Record<string, number>;
  lifecycle: Summary;
}

/**
 * The adapters log each transaction's notifications (one JSON line each, for Cloud Logging):
 * thousands here. They are dropped from this process's stdout while the section runs.
 */
async function withoutFunctionLogs<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === "string" && chunk.startsWith('{"') && chunk.includes('"severity":')
      ? true
      : write(chunk as string, ...(rest as []))) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

export function inProcessThroughput(
  opts: InProcessOptions,
  progress: (msg: string) => void,
): Promise<InProcessRow[]> {
  return withoutFunctionLogs(() => run(opts, progress));
}

async function run(
  opts: InProcessOptions,
  progress: (msg: string) => void,
): Promise<InProcessRow[]> {
  const rows: InProcessRow[] = [];
  for (const n of opts.pairs) {
    await clearProject(IN_PROCESS_PROJECT);
    const meter = new Meter();
    const ctx: Ctx = {
      db: instrumented(adminDb(IN_PROCESS_PROJECT), { meter }),
      cfg: { heartbeatIntervalS: 20, heartbeatTimeoutMs: 60_000 },
      effects: { deliver: async () => undefined },
    };
    const pairs = Array.from({ length: n }, () => [`c-${randomUUID()}`, `e-${randomUUID()}`]);
    const errorKinds: Record<string, number> = {};
    let commands = 0; // each one transaction, retried by Firestore on contention
    const lifecycle = async ([a, b]: string[]) => {
      commands += 1;
      const s = await startDirect(ctx, { caller: a as string, callees: [b as string] });
      commands += 1;
      await runCommand(ctx, s.call_id, b as string, (d) => accept(d, b as string, {}));
      commands += 1;
      await runCommand(ctx, s.call_id, a as string, (d) => end(d, a as string));
    };
    // One warm-up lifecycle a pair: connections, the users' first documents.
    await Promise.all(pairs.map((p) => lifecycle(p).catch(() => undefined)));
    progress(`in-process throughput: ${n} pairs for ${opts.seconds} s`);
    const before = meter.snapshot();
    commands = 0;
    const times: number[] = [];
    let errors = 0;
    const stopAt = Date.now() + opts.seconds * 1000;
    const t0 = now();
    await Promise.all(
      pairs.map(async (p) => {
        while (Date.now() < stopAt) {
          const t = now();
          try {
            await lifecycle(p);
            times.push(now() - t);
          } catch (e) {
            errors += 1;
            const kind = (e as { code?: unknown }).code ?? (e as Error).name;
            errorKinds[String(kind)] = (errorKinds[String(kind)] ?? 0) + 1;
          }
        }
      }),
    );
    const elapsed = (now() - t0) / 1000;
    const counted = meter.since(before);
    rows.push({
      pairs: n,
      lifecycles: times.length,
      perSecond: times.length / elapsed,
      retries: Math.max(0, counted.transactions - commands),
      errors,
      errorKinds,
      lifecycle: summarize(times),
    });
  }
  await clearProject(IN_PROCESS_PROJECT);
  return rows;
}

/** Its report: one row per concurrency. */
export function inProcessSection(rows: InProcessRow[], seconds: number): Section {
  return {
    title: `5b. Throughput in process: Ringback's adapters, N pairs at once, ${seconds} s each (no functions emulator)`,
    head: [
      "pairs",
      "lifecycles/s",
      "lifecycles",
      "transaction retries",
      "errors",
      "lifecycle median",
      "lifecycle p95",
    ],
    rows: rows.map((r) => [
      r.pairs,
      r.perSecond.toFixed(1),
      r.lifecycles,
      r.retries,
      r.errors,
      ms(r.lifecycle.median),
      ms(r.lifecycle.p95),
    ]),
    notes: [
      "Each pair runs 1:1 start → accept → end back to back; the Firestore emulator (one JVM on this machine) is what they share. Section 4 measures the same through the functions emulator.",
      ...rows
        .filter((r) => r.errors > 0)
        .map((r) => `${r.pairs} pairs: errors by kind: ${JSON.stringify(r.errorKinds)}`),
    ],
  };
}

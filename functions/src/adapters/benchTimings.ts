/**
 * Where a command's time goes, for the benchmark only (BENCHMARKS.md, "where ring's time
 * goes"): when the functions run with RINGBACK_BENCH_TIMINGS=1 (the bench's stack sets it,
 * a deployment never does), each callable records how long its phases took and adds them to
 * its answer as `timings_ms`. Otherwise nothing is recorded and answers are as documented.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";

export type Timings = Record<string, number>;

const store = new AsyncLocalStorage<Timings>();

export const timingsAsked = (): boolean => process.env.RINGBACK_BENCH_TIMINGS === "1";

/** Now, on the clock the phases are measured with. */
export const clock = (): number => performance.now();

/** Adds the time since `since` (a clock() reading) to phase `name`, when timings are asked. */
export function mark(name: string, since: number): void {
  const t = store.getStore();
  if (t) t[name] = (t[name] ?? 0) + (clock() - since);
}

/** Counts one more of `name` (e.g. transaction attempts), when timings are asked. */
export function count(name: string): void {
  const t = store.getStore();
  if (t) t[name] = (t[name] ?? 0) + 1;
}

/** Runs `fn`, recording its phases when timings are asked; hands them back with the result. */
export async function timed<R>(fn: () => Promise<R>): Promise<{ value: R; timings?: Timings }> {
  if (!timingsAsked()) return { value: await fn() };
  const t: Timings = {};
  const t0 = clock();
  const value = await store.run(t, fn);
  t.total = clock() - t0;
  return { value, timings: t };
}

/** Runs `fn` and marks its duration as phase `name`. */
export async function phase<R>(name: string, fn: () => Promise<R>): Promise<R> {
  const t0 = clock();
  try {
    return await fn();
  } finally {
    mark(name, t0);
  }
}

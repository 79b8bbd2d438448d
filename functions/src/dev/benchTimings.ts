/**
 * The bench's timings hook (BENCHMARKS.md, "where ring's time goes"): installed by platform.ts
 * only when the functions run with RINGBACK_BENCH_TIMINGS=1 (the bench's stack sets it, a
 * deployment never does). Each callable then records how long its phases took and adds them
 * to its answer as `timings_ms` (callable/validated.ts); the deadline task logs them.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { performance } from "node:perf_hooks";
import type { Timings, TimingsHook } from "../adapters/timings.js";

const store = new AsyncLocalStorage<Timings>();
const clock = (): number => performance.now();

export const benchTimings: TimingsHook = {
  clock,
  mark(name, since) {
    const t = store.getStore();
    if (t) t[name] = (t[name] ?? 0) + (clock() - since);
  },
  count(name) {
    const t = store.getStore();
    if (t) t[name] = (t[name] ?? 0) + 1;
  },
  async timed(fn) {
    const t: Timings = {};
    const t0 = clock();
    const value = await store.run(t, fn);
    t.total = clock() - t0;
    return { value, timings: t };
  },
};

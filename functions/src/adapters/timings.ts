/**
 * Where a command's time goes, measured only when a hook is installed: the bench's stack
 * installs one (dev/benchTimings.ts, chosen by platform.ts when RINGBACK_BENCH_TIMINGS=1);
 * a deployment never does, so there nothing is recorded and answers are as documented.
 * The adapters call these at their phases; they do nothing without a hook.
 */
export type Timings = Record<string, number>;

export interface TimingsHook {
  /** Now, on the clock the phases are measured with. */
  clock(): number;
  /** Adds the time since `since` (a clock() reading) to phase `name`. */
  mark(name: string, since: number): void;
  /** Counts one more of `name` (e.g. transaction attempts). */
  count(name: string): void;
  /** Runs `fn`, recording its phases; hands them back with the result. */
  timed<R>(fn: () => Promise<R>): Promise<{ value: R; timings?: Timings }>;
}

let hook: TimingsHook | undefined;

/** Installs the hook (the composition root only; none: nothing is measured). */
export function installTimings(h: TimingsHook | undefined): void {
  hook = h;
}

export const clock = (): number => hook?.clock() ?? 0;

export function mark(name: string, since: number): void {
  hook?.mark(name, since);
}

export function count(name: string): void {
  hook?.count(name);
}

export async function timed<R>(fn: () => Promise<R>): Promise<{ value: R; timings?: Timings }> {
  return hook ? hook.timed(fn) : { value: await fn() };
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

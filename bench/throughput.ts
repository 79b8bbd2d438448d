/**
 * 4. Throughput: complete 1:1 lifecycles (start → callee rings → accept → caller sees the
 * call ongoing → end → callee sees idle), all through the firebase web SDK, with many
 * caller/callee pairs at once for a fixed time. Every error is counted.
 */
import { randomUUID } from "node:crypto";
import { newUser, type TestUser } from "../test/support/clients.js";
import { pool } from "./lib/admin.js";
import { now, summarize, type Summary } from "./lib/stats.js";

export interface ThroughputOptions {
  pairs: number;
  seconds: number;
  /** Unmeasured rounds of every pair at once first (see below). */
  warmupRounds: number;
}

export interface ThroughputResult {
  pairs: number;
  seconds: number;
  completed: number;
  perSecond: number;
  commandsPerSecond: number;
  errors: number;
  errorSamples: string[];
  lifecycle: Summary;
  /** The unmeasured warm-up: rounds run, and lifecycles in them that failed. */
  warmup: { rounds: number; lifecycles: number; failed: number; clean: boolean };
}

async function lifecycle(caller: TestUser, callee: TestUser, callId: string): Promise<void> {
  await Promise.all([
    caller.call("startCall", { call_id: callId, callees: [{ id: callee.uid }], type: 1 }),
    callee.waitState((s) => s?.status === "ringing" && s.call_id === callId, "ringing"),
  ]);
  await Promise.all([
    callee.call("acceptCall", { call_id: callId }),
    caller.waitState((s) => s?.status === "in_call" && s.call_id === callId, "in call"),
  ]);
  await Promise.all([
    caller.call("endCall", { call_id: callId }),
    callee.waitState((s) => s?.status === "idle", "callee idle"),
    caller.waitState((s) => s?.status === "idle", "caller idle"),
  ]);
}

/**
 * Frees a pair after a failed lifecycle: ends (or declines) whatever call each side is still
 * in, including one whose startCall answered too late, and waits until both are idle.
 */
async function free(caller: TestUser, callee: TestUser): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const busy = [caller, callee].filter((u) => u.state()?.status && u.state()?.status !== "idle");
    if (busy.length === 0) return;
    await Promise.all(
      busy.map((u) => {
        const s = u.state();
        // A caller whose callee never answered is "calling": only cancelCall frees it.
        const cmd =
          s?.status === "ringing"
            ? "declineCall"
            : s?.status === "calling"
              ? "cancelCall"
              : "endCall";
        const body =
          cmd === "declineCall" ? { call_id: s?.call_id, type: 1 } : { call_id: s?.call_id };
        return u.call(cmd, body).catch(() => undefined);
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function throughput(
  opts: ThroughputOptions,
  progress: (msg: string) => void,
): Promise<ThroughputResult> {
  const users = await pool(Array.from({ length: opts.pairs * 2 }), 10, (_, i) => newUser(`tp${i}`));
  /** One lifecycle of pair `p`; the error when it failed (the pair is then freed). */
  const round1 = async (p: number, callId: string): Promise<string | undefined> => {
    const caller = users[2 * p] as TestUser;
    const callee = users[2 * p + 1] as TestUser;
    try {
      await lifecycle(caller, callee, callId);
      return undefined;
    } catch (e) {
      await free(caller, callee);
      return String(e);
    }
  };
  // The functions emulator serves one request per worker process and starts a new process
  // (about a second of CPU) whenever none is idle; production instances serve many requests
  // each. Unmeasured rounds first, so that the timed window sees warm workers. They ramp up
  // (5, 10, 20, … pairs at once): 50 pairs at once on a cold 2-core emulator start ~150
  // processes together, every lifecycle then misses its 20 s wait, and the rounds never
  // settle (measured: 0 of 450 lifecycles in 9 rounds). Then full rounds until
  // `warmupRounds` in a row have no error; if that never happens, the run goes on and the
  // table says so, instead of aborting the whole bench.
  progress(`throughput: ${users.length} users signed in, warming up`);
  const warmup = { rounds: 0, lifecycles: 0, failed: 0, clean: false };
  for (let round = 0, clean = 0, width = Math.min(5, opts.pairs); ; round++) {
    if (round >= opts.warmupRounds + 10) break;
    const failed = (
      await Promise.all(Array.from({ length: width }, (_, p) => round1(p, `warm-${randomUUID()}`)))
    ).filter((e) => e !== undefined);
    warmup.rounds += 1;
    warmup.lifecycles += width;
    warmup.failed += failed.length;
    if (failed.length)
      progress(
        `throughput: warm-up round ${round} (${width} pairs): ${failed.length} failed: ${failed[0]}`,
      );
    if (width < opts.pairs) {
      width = Math.min(opts.pairs, width * 2); // the workers it started are warm now, failed or not
      continue;
    }
    clean = failed.length ? 0 : clean + 1;
    if (clean >= opts.warmupRounds) {
      warmup.clean = true;
      break;
    }
  }
  if (!warmup.clean) progress("throughput: the warm-up never ran clean; measuring anyway");
  progress(`throughput: running ${opts.seconds} s`);
  const durations: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const stopAt = now() + opts.seconds * 1000;
  const t0 = now();
  await Promise.all(
    Array.from({ length: opts.pairs }, async (_, p) => {
      while (now() < stopAt) {
        const start = now();
        const error = await round1(p, `tp-${randomUUID()}`);
        if (error === undefined) {
          if (now() <= stopAt) durations.push(now() - start);
        } else {
          errors += 1;
          if (errorSamples.length < 5) errorSamples.push(error);
        }
      }
    }),
  );
  const elapsed = (now() - t0) / 1000;
  if (elapsed > opts.seconds + 30) progress(`throughput: the last rounds ended ${elapsed} s in`);
  await Promise.all(users.map((u) => u.close()));
  return {
    pairs: opts.pairs,
    seconds: opts.seconds,
    completed: durations.length,
    perSecond: durations.length / opts.seconds,
    commandsPerSecond: (durations.length * 3) / opts.seconds,
    errors,
    errorSamples,
    lifecycle: summarize(durations),
    warmup,
  };
}

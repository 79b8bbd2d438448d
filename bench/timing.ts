/**
 * 6. Deadline timing: how long after each deadline a client's listener sees its effect, with
 * every deadline applied by its Cloud Tasks task (the sweep ticker is off during the bench).
 * Calls start 250 ms apart (500 ms in the full run), so that their deadlines are spread as
 * real ones are, after a warm-up before each section that starts the functions emulator's
 * worker processes (one per concurrent request, about a second each to start on a small
 * machine; deployed instances serve many requests each). Nothing that goes wrong for one
 * call aborts the run: a refused command or a wait that times out counts as missed, with
 * its reason, as a missed deadline does.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newUser, type TestUser } from "../test/support/clients.js";
import { pool } from "./lib/admin.js";
import { summarize, type Summary } from "./lib/stats.js";

export interface TimingOptions {
  runs: number;
  /** The heartbeat timeout is 60 s: measured in the full run only. */
  heartbeat: boolean;
  /** Between two calls' starts (default 250 ms). */
  staggerMs?: number;
}

/** One deadline task's phases, as the function logged them (logs.benchDeadlineTask). */
interface TaskTimings {
  at: number;
  started_late_ms: number;
  retry: number;
  total?: number;
  tx_read?: number;
  commit?: number;
  post_commit?: number;
  tx_attempts?: number;
}

/** Where the deadline tasks' time went: the queue and the emulator's worker, or Ringback. */
export interface TaskBreakdown {
  tasks: number;
  /** From the deadline to the handler's start: the scheduler's delay and the worker's spawn. */
  startedLate: Summary;
  /** In the handler: Ringback's own work (the settle transaction and what follows). */
  inFunction: Summary;
  commit: Summary;
  /** Tasks whose transaction ran more than once (contention on the call doc). */
  retriedTransactions: number;
  /** Tasks that were the queue's retry of a failed attempt. */
  queueRetries: number;
  /** Requests the functions emulator failed because a new worker did not load in time. */
  workerLoadFailures: number;
}

/** Reads the stack's log for the deadline tasks that ran since `since` (ms). */
function taskBreakdown(since: number): TaskBreakdown | null {
  const file = path.join(
    process.env.RINGBACK_RUNTIME_DIR ?? path.join(ROOT, ".runtime"),
    "firebase.log",
  );
  if (!fs.existsSync(file)) return null;
  const rows: TaskTimings[] = [];
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const workerLoadFailures = lines.filter((l) => l.includes("Failed to load function")).length;
  for (const line of lines) {
    if (!line.includes("bench: deadlineTask timings")) continue;
    try {
      const t = JSON.parse(line.slice(line.indexOf("{"))) as TaskTimings;
      if (t.at >= since) rows.push(t);
    } catch {
      // a line cut by the logger: skipped
    }
  }
  if (rows.length === 0 && workerLoadFailures === 0) return null;
  return {
    tasks: rows.length,
    startedLate: summarize(rows.map((r) => r.started_late_ms)),
    inFunction: summarize(rows.map((r) => r.total ?? NaN).filter((v) => !Number.isNaN(v))),
    commit: summarize(rows.map((r) => r.commit ?? NaN).filter((v) => !Number.isNaN(v))),
    retriedTransactions: rows.filter((r) => (r.tx_attempts ?? 1) > 1).length,
    queueRetries: rows.filter((r) => r.retry > 0).length,
    workerLoadFailures,
  };
}

export interface TimingResult {
  /** Deadline tasks of this section, from the functions' own timings (null: none logged). */
  tasks: TaskBreakdown | null;
  runs: number;
  /** Deadlines whose effect was not seen within 10 s, or whose call failed (not thrown). */
  missed: number;
  /** Why, per section: a few distinct reasons each. */
  missedReasons: Record<string, string[]>;
  invitation: Summary;
  receipt: Summary;
  heartbeat: Summary | null;
}

interface Started {
  call_id: string;
  deadline_at: string;
  timeout: number;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Runs `one` for every pair, each starting `stagger` ms after the one before. */
function staggered<T>(
  pairs: [TestUser, TestUser][],
  stagger: number,
  one: (p: [TestUser, TestUser]) => Promise<T>,
) {
  return Promise.all(pairs.map(async (p, i) => (await sleep(i * stagger), one(p))));
}

/**
 * Starts the emulator's workers for a section: `width` calls at once, each through what the
 * section will use (start, its deadline task, cancel), then waits for them to settle. Errors
 * are ignored: this only warms.
 */
async function warm(pairs: [TestUser, TestUser][], width: number, opts: object): Promise<void> {
  await Promise.all(
    pairs.slice(0, width).map(async ([a, b]) => {
      try {
        const s = await a.call<Started>("startCall", {
          callees: [{ id: b.uid }],
          type: 1,
          ...opts,
        });
        await a.call("heartbeat", { call_id: s.call_id });
        await sleep(2500);
        await a.call("cancelCall", { call_id: s.call_id });
        await b.waitState((x) => x?.status === "idle" || x === undefined, "warm-up", 30_000);
      } catch {
        // warming only
      }
    }),
  );
}

export async function timing(
  opts: TimingOptions,
  progress: (msg: string) => void,
): Promise<TimingResult> {
  const users = await pool(Array.from({ length: opts.runs * 2 }), 10, (_, i) => newUser(`t${i}`));
  const pairs = Array.from(
    { length: opts.runs },
    (_, i) => [users[2 * i], users[2 * i + 1]] as [TestUser, TestUser],
  );

  const began = Date.now();
  let missed = 0;
  const missedReasons: Record<string, string[]> = {};
  /** Counts a call of `section` as missed, keeping a few distinct reasons. */
  const miss = (section: string, e: unknown): number => {
    missed += 1;
    const why = e instanceof Error ? e.message.slice(0, 160) : String(e);
    const list = (missedReasons[section] ??= []);
    if (list.length < 5 && !list.includes(why)) list.push(why);
    return NaN;
  };
  const stagger = opts.staggerMs ?? 250;
  const width = Math.min(pairs.length, 8);
  /** Frees a pair for the next section; a pair that does not get free is only reported. */
  const free = async ([a, b]: [TestUser, TestUser], callId: string, section: string) => {
    await a.call("cancelCall", { call_id: callId }).catch(() => undefined);
    await b
      .waitState((x) => x?.status === "idle" || x === undefined, "idle", 60_000)
      .catch((e: unknown) => miss(`${section} (freeing the pair)`, e));
  };

  progress("timing: warm-up (invitation timeouts)");
  await warm(pairs, width, { timeout: 2 });
  progress("timing: invitation timeouts");
  const invitation = await staggered(pairs, stagger, async ([a, b]) => {
    try {
      const s = await a.call<Started>("startCall", {
        callees: [{ id: b.uid }],
        type: 1,
        timeout: 2,
      });
      await b.waitState((x) => x?.status === "ringing" && x.call_id === s.call_id, "ringing");
      await b.waitState((x) => x?.status === "idle", "timed out", 60_000);
      return Date.now() - Date.parse(s.deadline_at);
    } catch (e) {
      return miss("invitation", e);
    }
  });

  progress("timing: warm-up (not-received checks)");
  await warm(pairs, width, { timeout: 8, not_received_check: true });
  progress("timing: not-received checks");
  const receipt = await staggered(pairs, stagger, async ([a, b]) => {
    let s: Started;
    try {
      s = await a.call<Started>("startCall", {
        callees: [{ id: b.uid }],
        type: 1,
        timeout: 8,
        not_received_check: true,
      });
    } catch (e) {
      return miss("not-received", e);
    }
    const checkAt = Date.parse(s.deadline_at) - s.timeout * 1000 + 5000;
    const flipped = () =>
      a
        .notifications(s.call_id)
        .some((n) => JSON.stringify(n.body.users ?? "").includes('"state":"not_yet_received"'));
    const seen = await a
      .until(flipped, "the not-received check", checkAt + 10_000 - Date.now())
      .then(() => true)
      .catch(() => false);
    const delay = Date.now() - checkAt;
    if (!seen) miss("not-received", new Error("not seen within 10 s"));
    // Free the pair (the call may have timed out meanwhile: then there is nothing to cancel).
    await free([a, b], s.call_id, "not-received");
    return seen ? delay : NaN;
  });

  let heartbeat: Summary | null = null;
  if (opts.heartbeat) {
    progress("timing: warm-up (heartbeat timeouts)");
    await warm(pairs, width, { timeout: 2 });
    progress("timing: heartbeat timeouts (about 70 s)");
    const delays = await staggered(pairs, stagger, async ([a, b]) => {
      try {
        const s = await a.call<Started>("startCall", { callees: [{ id: b.uid }], type: 1 });
        await b.waitState((x) => x?.call_id === s.call_id, "ringing");
        await b.call("acceptCall", { call_id: s.call_id });
        // The caller's last heartbeat was the start: its deadline is 60 s after created_at.
        const deadline = Date.parse(s.deadline_at) - s.timeout * 1000 + 60_000;
        await b.waitState((x) => x?.status === "idle", "timed out", 120_000);
        return Date.now() - deadline;
      } catch (e) {
        return miss("heartbeat", e);
      }
    });
    heartbeat = summarize(delays.filter((d) => !Number.isNaN(d)));
  }
  await Promise.all(users.map((u) => u.close()));
  return {
    tasks: taskBreakdown(began),
    runs: opts.runs,
    missed,
    missedReasons,
    invitation: summarize(invitation.filter((d) => !Number.isNaN(d))),
    receipt: summarize(receipt.filter((d) => !Number.isNaN(d))),
    heartbeat,
  };
}

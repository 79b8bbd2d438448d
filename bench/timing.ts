/**
 * 6. Deadline timing: how long after each deadline a client's listener sees its effect, with
 * every deadline applied by its Cloud Tasks task (the sweep ticker is off during the bench).
 * Calls start 250 ms apart, so that their deadlines are spread as real ones are, after a
 * warm-up that starts the functions emulator's worker processes (one per concurrent request,
 * about a second each to start; deployed instances serve many requests each).
 */
import { newUser, type TestUser } from "../test/support/clients.js";
import { pool } from "./lib/admin.js";
import { summarize, type Summary } from "./lib/stats.js";

export interface TimingOptions {
  runs: number;
  /** The heartbeat timeout is 60 s: measured in the full run only. */
  heartbeat: boolean;
}

export interface TimingResult {
  runs: number;
  /** Deadlines whose effect was not seen within 10 s (reported, not thrown). */
  missed: number;
  invitation: Summary;
  receipt: Summary;
  heartbeat: Summary | null;
}

interface Started {
  call_id: string;
  deadline_at: string;
  timeout: number;
}

const STAGGER_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Runs `one` for every pair, each starting STAGGER_MS after the one before. */
function staggered<T>(pairs: [TestUser, TestUser][], one: (p: [TestUser, TestUser]) => Promise<T>) {
  return Promise.all(pairs.map(async (p, i) => (await sleep(i * STAGGER_MS), one(p))));
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

  let missed = 0;
  progress("timing: warm-up");
  await Promise.all(
    pairs.slice(0, 6).map(async ([a, b]) => {
      const s = await a.call<Started>("startCall", {
        callees: [{ id: b.uid }],
        type: 1,
        timeout: 2,
      });
      await a.call("heartbeat", { call_id: s.call_id }).catch(() => undefined);
      await b.waitState((x) => x?.status === "idle" || x === undefined, "warm-up", 60_000);
      await sleep(2500);
    }),
  );
  progress("timing: invitation timeouts");
  const invitation = await staggered(pairs, async ([a, b]) => {
    const s = await a.call<Started>("startCall", { callees: [{ id: b.uid }], type: 1, timeout: 2 });
    try {
      await b.waitState((x) => x?.status === "ringing" && x.call_id === s.call_id, "ringing");
      await b.waitState((x) => x?.status === "idle", "timed out", 60_000);
    } catch {
      missed += 1;
      return NaN;
    }
    return Date.now() - Date.parse(s.deadline_at);
  });

  progress("timing: not-received checks");
  const receipt = await staggered(pairs, async ([a, b]) => {
    const s = await a.call<Started>("startCall", {
      callees: [{ id: b.uid }],
      type: 1,
      timeout: 8,
      not_received_check: true,
    });
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
    if (!seen) {
      missed += 1;
      if (process.env.RINGBACK_BENCH_DEBUG) {
        const { adminDb } = await import("./lib/admin.js");
        const doc = (await adminDb().collection("calls").doc(s.call_id).get()).data();
        const notes = await adminDb()
          .collection("users")
          .doc(a.uid)
          .collection("notifications")
          .where("call_id", "==", s.call_id)
          .get();
        console.error(
          "MISSED",
          s.call_id,
          JSON.stringify(doc?.users),
          notes.docs.map((d) => JSON.stringify(d.data().body)),
          JSON.stringify(a.notifications(s.call_id).map((n) => n.body)),
        );
      }
    }
    // Free the pair (the call may have timed out meanwhile: then there is nothing to cancel).
    await a.call("cancelCall", { call_id: s.call_id }).catch(() => undefined);
    await b.waitState((x) => x?.status === "idle", "idle", 60_000);
    return seen ? delay : NaN;
  });

  let heartbeat: Summary | null = null;
  if (opts.heartbeat) {
    progress("timing: heartbeat timeouts (about 70 s)");
    const delays = await staggered(pairs, async ([a, b]) => {
      const s = await a.call<Started>("startCall", { callees: [{ id: b.uid }], type: 1 });
      await b.waitState((x) => x?.call_id === s.call_id, "ringing");
      await b.call("acceptCall", { call_id: s.call_id });
      // The caller's last heartbeat was the start: its deadline is 60 s after created_at.
      const deadline = Date.parse(s.deadline_at) - s.timeout * 1000 + 60_000;
      await b.waitState((x) => x?.status === "idle", "timed out", 120_000);
      return Date.now() - deadline;
    });
    heartbeat = summarize(delays);
  }
  await Promise.all(users.map((u) => u.close()));
  return {
    runs: opts.runs,
    missed,
    invitation: summarize(invitation.filter((d) => !Number.isNaN(d))),
    receipt: summarize(receipt.filter((d) => !Number.isNaN(d))),
    heartbeat,
  };
}

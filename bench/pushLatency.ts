/**
 * 9. Offline push, against the stack (its local push recorder stands in for FCM and APNs):
 *  - commit → push handed to the sender: each push job's commit (its document's create time)
 *    against the moment its message was handed to the sender (`devices.<id>.handed_at`): the
 *    inline send (or the task queue, its retry); and the same from the change's time
 *    (`created_at`, taken when its transaction began), as earlier runs reported it;
 *  - startCall's answer against its ring: from the request to its answer, and to its first
 *    ring handed to the sender (the answer waits for the inline send, within its budget);
 *  - pushes, push jobs and push tasks per 1:1 and 1:9 lifecycle (start, one accept, end),
 *    each callee with two devices, one of which answers.
 * Part of `npm run bench` (`--only=push`); `bench/push.ts` runs it alone.
 */
import { randomUUID } from "node:crypto";
import { newUser, type TestUser } from "../test/support/clients.js";
import { settledPushes, delivered } from "../test/support/pushes.js";
import { adminDb, pool } from "./lib/admin.js";
import { ms, summarize } from "./lib/stats.js";
import type { Section } from "./lib/table.js";
import { PRIVATE_COLLECTIONS } from "../functions/src/model/collections.js";

async function withDevices(label: string): Promise<TestUser> {
  const u = await newUser(label);
  for (const id of ["phone", "tablet"]) {
    await u.call("registerDevice", {
      device_id: id,
      platform: "android",
      fcm_token: `${id}-${u.uid}`,
    });
  }
  return u;
}

/** One lifecycle: `a` calls `callees`, the first accepts on its phone, `a` ends it. */
async function lifecycle(a: TestUser, callees: TestUser[]) {
  const callId = `pb-${randomUUID()}`;
  const asked = Date.now();
  // The ring as a foreground app sees it: the first callee's user doc ringing for the call.
  const rang = callees[0]!
    .waitState((d) => d?.status === "ringing" && d.call_id === callId, "ringing", 60_000)
    .then(() => Date.now() - asked);
  const started = await a.call<{ timings_ms?: Record<string, number> }>("startCall", {
    call_id: callId,
    callees: callees.map((c) => ({ id: c.uid })),
    type: 1,
  });
  const answered = Date.now() - asked;
  const seen = await rang;
  await callees[0]!.call("acceptCall", { call_id: callId, device_id: "phone" });
  await a.call("endCall", { call_id: callId });
  await settledPushes(callId, 120_000);
  const jobs = await adminDb()
    .collection(PRIVATE_COLLECTIONS.pushJobs)
    .where("call_id", "==", callId)
    .get();
  const latencies: number[] = [];
  const fromChange: number[] = [];
  const tasks = new Set<number>();
  const rings: number[] = [];
  const ringLatencies: number[] = [];
  for (const j of jobs.docs) {
    const created = j.get("created_at").toMillis() as number;
    // The commit: when the job's document was written (the emulator runs on this machine's
    // clock). `created_at` is the change's time, taken when its transaction began.
    const committed = j.createTime.toMillis();
    tasks.add(created); // one task per change: the change's time names it here
    for (const d of Object.values(
      (j.get("devices") ?? {}) as Record<string, { handed_at?: number }>,
    )) {
      if (!d.handed_at) continue;
      latencies.push(d.handed_at - committed);
      fromChange.push(d.handed_at - created);
      if (j.get("type") === "ring") rings.push(d.handed_at);
      if (j.get("type") === "ring") ringLatencies.push(d.handed_at - committed);
    }
  }
  const all = await delivered({ call_id: callId });
  const count = (type: string) => all.filter((p) => p.data.type === type).length;
  // startCall's answer against its ring: the request's start to the first ring push handed to
  // the sender (one clock: the bench, the functions and the recorder share the machine).
  const pushed = rings.length > 0 ? Math.min(...rings) - asked : undefined;
  const sent = { pushes: all.length, rings: count("ring"), cancels: count("cancel") };
  const timings = started.timings_ms; // with RINGBACK_BENCH_TIMINGS=1 (the bench's stack)
  return {
    ...sent,
    jobs: jobs.size,
    tasks: tasks.size,
    latencies,
    ringLatencies,
    fromChange,
    answered,
    seen,
    pushed,
    timings,
  };
}

export type PushResult = Awaited<ReturnType<typeof pushLatency>>;

/** `calls` 1:1 lifecycles one after another, then one 1:9. */
export async function pushLatency(calls: number, progress: (m: string) => void) {
  progress(`push: ${calls} 1:1 lifecycles, then one 1:9`);
  const one = await pool(Array.from({ length: calls }), 1, async () => {
    const [a, b] = await Promise.all([newUser("pb-a"), withDevices("pb-b")]);
    return lifecycle(a, [b]);
  });
  const caller = await newUser("pb-g");
  const nine: TestUser[] = [];
  for (let i = 0; i < 9; i++) nine.push(await withDevices(`pb-${i}`));
  const group = await lifecycle(caller, nine);
  const lat = summarize(one.flatMap((r) => r.latencies).concat(group.latencies));
  const oneRing = summarize(one.flatMap((r) => r.ringLatencies));
  const change = summarize(one.flatMap((r) => r.fromChange).concat(group.fromChange));
  /** startCall's phases (the median of each), when the stack measures them. */
  const phases = Object.fromEntries(
    [...new Set(one.flatMap((r) => Object.keys(r.timings ?? {})))].map((k) => [
      k,
      Math.round(summarize(one.flatMap((r) => r.timings?.[k] ?? [])).median),
    ]),
  );
  const answer = summarize(one.map((r) => r.answered));
  const seen = summarize(one.map((r) => r.seen));
  const ringAt = summarize(one.flatMap((r) => (r.pushed === undefined ? [] : [r.pushed])));
  const counts = (r: (typeof one)[number]) => ({
    pushes: r.pushes,
    rings: r.rings,
    cancels: r.cancels,
    jobs: r.jobs,
    tasks: r.tasks,
  });
  const out = {
    calls,
    commitToSender: lat,
    // The 1:1 starts' rings alone (no cancel, no 1:9 start of 9 jobs at once).
    ringCommitToSender: oneRing,
    // From the change's time (its transaction's start): the figure earlier runs reported.
    changeToSender: change,
    // 1:1 starts: the request to its answer, to the callee's ringing (as BENCHMARKS.md's ring),
    // and to its first ring push handed to the sender.
    startCall: {
      answer,
      ring: seen,
      push: ringAt,
      answerOverRing: answer.median / seen.median,
      answerOverPush: answer.median / ringAt.median,
      phases,
    },
    perLifecycle: {
      // The last one: in the first, a cold start can let the accept overtake the ring
      // (superseded, so nothing is sent: no ghost ring).
      "1:1": counts(one.at(-1)!),
      "1:9": counts(group),
    },
  };
  return out;
}

/** The section BENCHMARKS.md shows: latencies, then what each lifecycle sent. */
export function pushSection(r: PushResult): Section {
  const pair = (s: { median: number; p95: number; n: number }) =>
    `${ms(s.median)} / ${ms(s.p95)} (${s.n})`;
  return {
    title: `9. Offline push: ${r.calls} 1:1 lifecycles and one 1:9, two devices a callee (median / p95 (n))`,
    head: ["", "figure"],
    rows: [
      ["1:1 rings, commit → handed to the sender", pair(r.ringCommitToSender)],
      ["every push (rings and cancels), commit → handed", pair(r.commitToSender)],
      ["every push, change (transaction start) → handed", pair(r.changeToSender)],
      ["startCall (1:1): answer", pair(r.startCall.answer)],
      ["startCall (1:1): callee ringing (its user doc)", pair(r.startCall.ring)],
      ["startCall (1:1): first ring push handed", pair(r.startCall.push)],
      ...Object.entries(r.perLifecycle).map(([k, v]) => [
        `${k} lifecycle: pushes, jobs, tasks`,
        `${v.pushes} (${v.rings} rings, ${v.cancels} cancels), ${v.jobs} jobs, ${v.tasks} tasks`,
      ]),
    ],
    notes: [
      `startCall's answer / ring ${r.startCall.answerOverRing.toFixed(2)}× (target ≤ 1.15×), answer / first ring push ${r.startCall.answerOverPush.toFixed(2)}×. Targets: 1:1 rings ≤ 30 ms median, ≤ 150 ms p95; the 1:9 lifecycle 18 rings, then 17 cancels.`,
    ],
  };
}

/**
 * Offline push, against `npm run with-emulators` (its local push recorder stands in for FCM
 * and APNs): `npm run with-emulators -- tsx bench/push.ts [calls]`.
 *  - commit → push handed to the sender: each push job's commit (its document's create time)
 *    against the moment its message was handed to the sender (`devices.<id>.handed_at`): the
 *    inline send (or the task queue, its retry) and the claim; and the same from the change's
 *    time (`created_at`, taken when its transaction began), as earlier runs reported it;
 *  - startCall's answer against its ring: from the request to its answer, and to its first
 *    ring handed to the sender (the answer waits for the inline send, within its budget);
 *  - pushes, push jobs and push tasks per 1:1 and 1:9 lifecycle (start, one accept, end),
 *    each callee with two devices, one of which answers.
 * Writes bench/results/push.json and prints a table.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { newUser, closeAll, type TestUser } from "../test/support/clients.js";
import { settledPushes, delivered } from "../test/support/pushes.js";
import { adminDb, pool } from "./lib/admin.js";
import { ms, summarize } from "./lib/stats.js";
import { PRIVATE_COLLECTIONS } from "../functions/src/model/collections.js";

const CALLS = Number(process.argv[2] ?? 20);

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

const one = await pool(Array.from({ length: CALLS }), 1, async () => {
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
  calls: CALLS,
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
fs.mkdirSync("bench/results", { recursive: true });
fs.writeFileSync("bench/results/push.json", JSON.stringify(out, null, 2));
console.log(
  `commit → push handed to the sender (${lat.n} pushes): median ${ms(lat.median)}, p95 ${ms(lat.p95)}`,
);
console.log(
  `1:1 rings, commit → handed (${oneRing.n}): median ${ms(oneRing.median)}, p95 ${ms(oneRing.p95)}`,
);
console.log(
  `change (transaction start) → push handed: median ${ms(change.median)}, p95 ${ms(change.p95)}`,
);
if (Object.keys(phases).length > 0) console.log(`startCall phases (median ms):`, phases);
console.log(
  `startCall (1:1): answer median ${ms(answer.median)}, callee ringing median ${ms(seen.median)} ` +
    `(answer / ring ${out.startCall.answerOverRing.toFixed(2)}×), first ring push handed median ` +
    `${ms(ringAt.median)} (answer / push ${out.startCall.answerOverPush.toFixed(2)}×)`,
);
for (const [k, v] of Object.entries(out.perLifecycle)) {
  console.log(
    `${k} lifecycle (2 devices a callee): ${v.pushes} pushes (${v.rings} rings, ${v.cancels} cancels), ` +
      `${v.jobs} push jobs (outbox writes), ${v.tasks} push tasks`,
  );
}
await closeAll();
process.exit(0);

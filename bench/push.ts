/**
 * Offline push, against `npm run with-emulators` (its local push recorder stands in for FCM
 * and APNs): `npm run with-emulators -- tsx bench/push.ts [calls]`.
 *  - commit → push handed to the sender: each push job's commit time (`created_at`, the
 *    change's transaction) against the moment its message was handed to the sender
 *    (`devices.<id>.handed_at`): the inline send (or the task queue, its retry) and the claim;
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
  await a.call("startCall", {
    call_id: callId,
    callees: callees.map((c) => ({ id: c.uid })),
    type: 1,
  });
  const answered = Date.now() - asked;
  await callees[0]!.call("acceptCall", { call_id: callId, device_id: "phone" });
  await a.call("endCall", { call_id: callId });
  await settledPushes(callId, 120_000);
  const jobs = await adminDb()
    .collection(PRIVATE_COLLECTIONS.pushJobs)
    .where("call_id", "==", callId)
    .get();
  const latencies: number[] = [];
  const tasks = new Set<number>();
  const rings: number[] = [];
  for (const j of jobs.docs) {
    const created = j.get("created_at").toMillis() as number;
    tasks.add(created); // one task per change: the change's commit time names it here
    for (const d of Object.values(
      (j.get("devices") ?? {}) as Record<string, { handed_at?: number }>,
    )) {
      if (d.handed_at) latencies.push(d.handed_at - created);
      if (d.handed_at && j.get("type") === "ring") rings.push(d.handed_at);
    }
  }
  const all = await delivered({ call_id: callId });
  const count = (type: string) => all.filter((p) => p.data.type === type).length;
  // startCall's answer against its ring: the request's start to the first ring push handed to
  // the sender (one clock: the bench, the functions and the recorder share the machine).
  const ring = rings.length > 0 ? Math.min(...rings) - asked : undefined;
  const sent = { pushes: all.length, rings: count("ring"), cancels: count("cancel") };
  return { ...sent, jobs: jobs.size, tasks: tasks.size, latencies, answered, ring };
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
const answer = summarize(one.map((r) => r.answered));
const ringAt = summarize(one.flatMap((r) => (r.ring === undefined ? [] : [r.ring])));
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
  // 1:1 starts: the request to its answer, and to its first ring handed to the sender.
  startCall: { answer, ring: ringAt, ratio: answer.median / ringAt.median },
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
  `startCall (1:1): answer median ${ms(answer.median)}, first ring handed median ` +
    `${ms(ringAt.median)} (answer / ring ${out.startCall.ratio.toFixed(2)}×)`,
);
for (const [k, v] of Object.entries(out.perLifecycle)) {
  console.log(
    `${k} lifecycle (2 devices a callee): ${v.pushes} pushes (${v.rings} rings, ${v.cancels} cancels), ` +
      `${v.jobs} push jobs (outbox writes), ${v.tasks} push tasks`,
  );
}
await closeAll();
process.exit(0);

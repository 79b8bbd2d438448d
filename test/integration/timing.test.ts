/**
 * Server-side timing, exact to the second: each deadline is applied by its own Cloud Tasks
 * task at its moment (through the local runner's scheduled delivery), measured from the
 * deadline to the moment a client's listener sees the effect. The sweep ticker is off for
 * the tests (`npm test`), so only the tasks can be measured here. No test sleeps longer than
 * the timing it measures.
 */
import fs from "node:fs";
import { getFunctions } from "firebase-admin/functions";
import { getApps } from "firebase-admin/app";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminDb, callDoc, footprint, privateOf, triggerSweep } from "../support/admin.js";
import { users, type Started } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";
import { control } from "../support/control.js";
import { HEARTBEAT } from "../support/heartbeat.js";
import { deadlineTaskOf } from "../../functions/src/channels/deadlines/queue.js";

afterAll(closeAll);

// The functions emulator starts a worker process for a function the first time it runs
// (about a second), and one more for each task that runs while the others are busy: a few
// unmeasured deadlines (and heartbeats) first, so that the measured ones find warm
// workers, as a deployed function's instances would be.
beforeAll(async () => {
  const ps = await pairs(3);
  await Promise.all(
    ps.map(async ([a, b]) => {
      const s = await a.call<Started>("startCall", {
        callees: [{ id: b.uid }],
        type: 1,
        timeout: 2,
      });
      await b.waitState((x) => x?.call_id === s.call_id && x.status === "ringing", "ringing");
      // (a cold worker may answer after the call has ended: only the warming counts)
      await a.call("heartbeat", { call_id: s.call_id }).catch(() => undefined);
      await b.waitState((x) => x?.status === "idle", "warm-up timeout");
    }),
  );
});

const INVITATION_TARGET_MS = 1500;
const HEARTBEAT_TARGET_MS = 2000;
const HEARTBEAT_TIMEOUT_MS = HEARTBEAT.timeoutMs;
const RECEIPT_TARGET_MS = 1000;
const STATE_CHANGED = "/call/notify_user_state_changed";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function pairs(n: number): Promise<(readonly [TestUser, TestUser])[]> {
  return Promise.all(Array.from({ length: n }, () => users("caller", "callee")));
}

/** The stack's RINGBACK_DEADLINE_QUEUES: its default, 4, unless the run sets it. */
const QUEUES = Number(process.env.RINGBACK_DEADLINE_QUEUES || 4);

/** Where the runner holds scheduled tasks (scripts/standins/scheduledTasks.mjs), on the call's queue. */
function taskUrl(callId: string, at: number): string {
  const host = process.env.RINGBACK_SCHEDULED_TASKS;
  if (!host) throw new Error("RINGBACK_SCHEDULED_TASKS is not set: run through `npm test`");
  const project = process.env.GCLOUD_PROJECT;
  return `http://${host}/projects/${project}/locations/us-central1/queues/${deadlineTaskOf(callId, QUEUES)}/tasks/${callId}-${at}`;
}

/** Makes the runner fail the next `count` enqueues of this call's deadline tasks (503). */
async function failEnqueues(callId: string, count: number): Promise<void> {
  const res = await (count > 0
    ? control("POST", "/tasks/unavailable", { prefix: `${callId}-`, count })
    : control("DELETE", "/tasks/unavailable"));
  expect(res.status).toBe(200);
}

/** Runs `one` for each pair, 150 ms apart, so that their deadlines are spread out. */
function staggered<T>(
  ps: (readonly [TestUser, TestUser])[],
  one: (p: readonly [TestUser, TestUser]) => Promise<T>,
): Promise<T[]> {
  return Promise.all(ps.map(async (p, i) => (await sleep(i * 150), one(p))));
}

describe("deadlines fire on time", () => {
  it(`an unanswered invitation ends within ${INVITATION_TARGET_MS} ms after deadline_at`, async () => {
    const ps = await pairs(10);
    const started: Started[] = [];
    const delays = await staggered(ps, async ([a, b]) => {
      const s = await a.call<Started>("startCall", {
        callees: [{ id: b.uid }],
        type: 1,
        timeout: 2,
      });
      started.push(s);
      await b.waitState((x) => x?.status === "ringing" && x.call_id === s.call_id, "ringing");
      await b.waitState((x) => x?.status === "idle", "idle after the timeout");
      return Date.now() - Date.parse(s.deadline_at);
    });
    console.log("invitation timeout delays (ms):", delays.join(" "));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0); // never early
      expect(d).toBeLessThanOrEqual(INVITATION_TARGET_MS);
    }
    const call = await callDoc(started[0]!.call_id);
    expect(call).toMatchObject({ state: "ended", end_reason: "no_answer" });
    expect(call.ended_at.toMillis()).toBe(Date.parse(started[0]!.deadline_at));
  });

  it(`the not-received check flips within ${RECEIPT_TARGET_MS} ms after its 5 s; an ack stops it`, async () => {
    const ps = await pairs(8);
    const started = await staggered(ps, ([a, b]) =>
      a.call<Started>("startCall", { callees: [{ id: b.uid }], type: 1, not_received_check: true }),
    );
    // The last callee acks at once from its device: received, and never not_yet_received.
    const [ackA, ackB] = ps[ps.length - 1]!;
    const acked = started[ps.length - 1]!.call_id;
    await ackB.waitState((s) => s?.call_id === acked, "ringing");
    await expect(
      ackB.call("ackCall", { call_id: acked, device_id: "phone" }),
    ).resolves.toMatchObject({
      user_state: "received",
    });
    const delays = await Promise.all(
      ps.slice(0, -1).map(async ([a, b], i) => {
        const { call_id, deadline_at, timeout } = started[i]!;
        const checkAt = Date.parse(deadline_at) - timeout * 1000 + 5000;
        const told = () =>
          a
            .notifications(call_id)
            .some(
              (n) =>
                n.path === STATE_CHANGED &&
                JSON.stringify(n.body.users).includes(`"state":"not_yet_received"`),
            );
        await a.until(told, "the not-received check", 10_000);
        expect(b.state()?.status).toBe("ringing");
        return Date.now() - checkAt;
      }),
    );
    console.log("not-received delays (ms):", delays.join(" "));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(RECEIPT_TARGET_MS);
    }
    expect((await callDoc(acked)).users[ackB.uid].state).toBe("received");
    expect((await privateOf(acked))?.users[ackB.uid].device_id).toBe("phone");
    const told = ackA.notifications(acked).filter((n) => n.path === STATE_CHANGED);
    expect(told.at(-1)?.body.users).toEqual([
      { id: ackB.uid, state: "received", extended_data: "" },
    ]);
  });

  it(`a silent participant is timed out within ${HEARTBEAT_TARGET_MS} ms after the heartbeat deadline; a heartbeat a second before it keeps the call`, async () => {
    const ps = await pairs(5);
    const ids = await staggered(ps, async ([a, b]) => {
      const { call_id } = await a.call<Started>("startCall", { callees: [{ id: b.uid }], type: 1 });
      await b.waitState((s) => s?.call_id === call_id, "ringing");
      await b.call("acceptCall", { call_id });
      return call_id;
    });
    // Each call's heartbeat deadline: its earliest heartbeat plus the timeout.
    const deadlines = await Promise.all(
      ids.map(async (id) => {
        const users = Object.values((await callDoc(id)).users) as {
          heartbeat_at: FirebaseFirestore.Timestamp;
        }[];
        return Math.min(...users.map((u) => u.heartbeat_at.toMillis())) + HEARTBEAT_TIMEOUT_MS;
      }),
    );
    // The last pair heartbeats a second before its deadline; the others stay silent.
    const [keepA, keepB] = ps[ps.length - 1]!;
    const kept = ids[ps.length - 1]!;
    const keep = (async () => {
      // One after the other, each on a warm worker: the caller's heartbeat is the one due.
      await sleep(deadlines[ps.length - 1]! - 1000 - Date.now());
      await keepA.call("heartbeat", { call_id: kept });
      await keepB.call("heartbeat", { call_id: kept });
    })();
    const delays = await Promise.all(
      ps.slice(0, -1).map(async ([a, b], i) => {
        await Promise.all(
          [a, b].map((u) => u.waitState((s) => s?.status === "idle", "idle", 90_000)),
        );
        return Date.now() - deadlines[i]!;
      }),
    );
    await keep;
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(HEARTBEAT_TARGET_MS);
    }
    expect((await callDoc(ids[0]!)).end_reason).toBe("heartbeat_timeout");
    await sleep(deadlines[ps.length - 1]! + HEARTBEAT_TARGET_MS + 500 - Date.now());
    expect((await callDoc(kept)).state).toBe("ongoing");
    expect(keepB.state()?.status).toBe("in_call");
    await keepA.call("endCall", { call_id: kept });
  }, 120_000);
});

describe("tasks that run late, twice, or never", () => {
  it("a lost task is caught by the sweep; a duplicate or late task changes nothing", async () => {
    const [alice, bob] = await users("alice", "bob");
    const s = await alice.call<Started>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
      timeout: 1,
    });
    await bob.waitState((x) => x?.call_id === s.call_id, "ringing");
    const at = Date.parse(s.deadline_at);
    expect((await callDoc(s.call_id)).task_at.toMillis()).toBe(at);
    // Lose the task: the runner drops it before it is handed on.
    const res = await fetch(taskUrl(s.call_id, at), { method: "DELETE" });
    expect(res.status).toBe(200);
    await sleep(at + 2500 - Date.now());
    expect(bob.state()?.status).toBe("ringing"); // no task, no ticker: nothing applied it yet
    await triggerSweep(); // the backstop
    await bob.waitState((x) => x?.status === "idle", "idle after the sweep");
    const ended = await callDoc(s.call_id);
    expect(ended).toMatchObject({ state: "ended", end_reason: "no_answer" });

    // The same deadline's task again, and an older one: they run and change nothing.
    const before = await footprint([alice.uid, bob.uid]);
    const runs = () =>
      fs
        .readFileSync(`${process.env.RINGBACK_RUNTIME_DIR ?? ".runtime"}/firebase.log`, "utf8")
        .split("\n")
        .filter((l) => l.includes('Finished "us-central1-deadlineTask"')).length;
    const ranBefore = runs();
    const app = getApps().find((a) => a.name === "admin-tests");
    adminDb(); // makes sure the admin app exists
    const queue = getFunctions(app ?? getApps()[0]).taskQueue(
      "locations/us-central1/functions/deadlineTask",
    );
    await queue.enqueue({ call_id: s.call_id, at }, { id: `dup-${s.call_id}` });
    await queue.enqueue({ call_id: s.call_id, at: at - 30_000 }, { id: `late-${s.call_id}` });
    for (let i = 0; i < 50 && runs() < ranBefore + 2; i++) await sleep(100);
    expect(runs()).toBeGreaterThanOrEqual(ranBefore + 2); // both ran
    expect(await footprint([alice.uid, bob.uid])).toBe(before);
  });

  it(`a deadline task that cannot be enqueued is recorded, re-enqueued by the next sweep, and lands within ${INVITATION_TARGET_MS} ms`, async () => {
    const [alice, bob] = await users("alice", "bob");
    const callId = `enqueue-fault-${alice.uid}`;
    // Cloud Tasks refuses every enqueue of this call's tasks, retries included.
    await failEnqueues(callId, 100);
    const s = await alice.call<Started>("startCall", {
      call_id: callId,
      callees: [{ id: bob.uid }],
      type: 1,
      timeout: 10,
    });
    await bob.waitState((x) => x?.call_id === callId, "ringing");
    // The failure is on the call: no pending task, so anything that next touches the call
    // (a command, a heartbeat, the sweep) enqueues one.
    expect((await callDoc(callId)).task_at).toBeNull();
    await failEnqueues(callId, 0); // Cloud Tasks is back
    await triggerSweep(); // the next sweep tick, well before the deadline
    const at = Date.parse(s.deadline_at);
    expect((await callDoc(callId)).task_at?.toMillis()).toBe(at);
    await bob.waitState((x) => x?.status === "idle", "idle after the timeout", 15_000);
    const delay = Date.now() - at;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(INVITATION_TARGET_MS);
    expect(await callDoc(callId)).toMatchObject({ state: "ended", end_reason: "no_answer" });
  });

  // The stress harness drops every task before it clears the database between scenarios
  // (test/support/admin.ts, dropTasks): a task left over would commit into the next one.
  it("the runner drops every task not yet dispatched at once; the sweep still applies their deadlines", async () => {
    const ps = await pairs(2);
    const started = await Promise.all(
      ps.map(([a, b]) =>
        a.call<Started>("startCall", { callees: [{ id: b.uid }], type: 1, timeout: 1 }),
      ),
    );
    await Promise.all(
      ps.map(([, b], i) => b.waitState((x) => x?.call_id === started[i]!.call_id, "ringing")),
    );
    const res = await control<{ dropped: number }>("DELETE", "/tasks/pending");
    expect(res.status).toBe(200);
    expect(res.body.dropped).toBeGreaterThanOrEqual(2);
    const last = Math.max(...started.map((s) => Date.parse(s.deadline_at)));
    await sleep(last + 2500 - Date.now());
    for (const [, b] of ps) expect(b.state()?.status).toBe("ringing"); // nothing applied them
    await triggerSweep();
    for (const [, b] of ps) await b.waitState((x) => x?.status === "idle", "idle after the sweep");
    for (const s of started) {
      expect(await callDoc(s.call_id)).toMatchObject({ state: "ended", end_reason: "no_answer" });
    }
  });
});

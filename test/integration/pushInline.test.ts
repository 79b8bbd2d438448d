/**
 * Inline push (docs/protocol.md#offline-push): the request that rings or stops ringing sends
 * its push jobs itself, right after the commit, within RINGBACK_PUSH_INLINE_BUDGET_MS; the
 * change's task stays as the retry. Real emulators, the stack's push recorder and its
 * scheduled-task stand-in (whose control API makes a call's push tasks unavailable).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Request } from "firebase-functions/v2/tasks";
import { pushTask } from "../../functions/src/channels/push/task.js";
import { closeAll, newUser, type TestUser } from "../support/clients.js";
import { control } from "../support/control.js";
import {
  delivered,
  jobDocsOf,
  jobsOf,
  pushes,
  settledPushes,
  waitPushes,
} from "../support/pushes.js";

afterAll(closeAll);
vi.setConfig({ testTimeout: 120_000 });

/** The callables run in this process and read it per request: each test starts at the default. */
const BUDGET = "RINGBACK_PUSH_INLINE_BUDGET_MS";
beforeEach(() => {
  process.env[BUDGET] = "1000";
});

/** A user with an Android phone and tablet whose FCM tokens start with `prefix`. */
async function withDevices(label: string, prefix = "fcm"): Promise<TestUser> {
  const u = await newUser(label);
  for (const id of ["phone", "tablet"]) {
    await u.call("registerDevice", {
      device_id: id,
      platform: "android",
      fcm_token: `${prefix}-${id}-${u.uid}`,
    });
  }
  return u;
}

/** The next `count` enqueues of the call's push tasks fail (503), as Cloud Tasks down. */
async function noPushTasks(callId: string, count = 100): Promise<void> {
  const r = await control("POST", "/tasks/unavailable", { prefix: `${callId}-push-`, count });
  expect(r.status).toBe(200);
}

/** Starts a 1:1 call to `callee`; answers how long the answer took. */
async function start(caller: TestUser, callee: TestUser, callId: string): Promise<number> {
  const t0 = Date.now();
  await caller.call("startCall", { call_id: callId, callees: [{ id: callee.uid }], type: 1 });
  return Date.now() - t0;
}

const devicesOf = (ps: { device_id: string; data: Record<string, string> }[]) =>
  ps.map((p) => `${p.data.type}:${p.device_id}`).sort();

/** Runs the change's push task in this process, as the queue would dispatch it. */
async function runTask(jobIds: string[]): Promise<void> {
  await pushTask({ data: { job_ids: jobIds }, retryCount: 0 } as unknown as Request<unknown>);
}

describe("inline push", () => {
  it("a ring reaches the sender from startCall itself, with no task; the task then sends nothing twice", async () => {
    const [a, b] = await Promise.all([newUser("pi-a"), withDevices("pi-b")]);
    const callId = `pi-${randomUUID()}`;
    await noPushTasks(callId);
    await start(a, b, callId);
    // Already there when the answer comes: the push task could not even be enqueued.
    expect(devicesOf(await delivered({ call_id: callId }))).toEqual(["ring:phone", "ring:tablet"]);
    const [job] = await jobsOf(callId);
    expect(job).toMatchObject({ type: "ring", status: "done", attempts: 1, unsent_since: null });
    // The task, when it runs (the retry path), finds the job sent: nothing goes twice.
    await runTask([job!.job_id as string]);
    expect((await jobsOf(callId))[0]).toMatchObject({ status: "done", attempts: 1 });
    expect(devicesOf(await pushes({ call_id: callId }))).toEqual(["ring:phone", "ring:tablet"]);
  });

  it("with tasks on, the scheduled task comes after the budget and finds the ring sent", async () => {
    const [a, b] = await Promise.all([newUser("pi-a"), withDevices("pi-b")]);
    const callId = `pi-${randomUUID()}`;
    await start(a, b, callId);
    expect(devicesOf(await delivered({ call_id: callId }))).toEqual(["ring:phone", "ring:tablet"]);
    // The task is due 1.5 s after the change; give it time to run, then count again.
    await new Promise((r) => setTimeout(r, 4000));
    await settledPushes(callId);
    expect(devicesOf(await pushes({ call_id: callId }))).toEqual(["ring:phone", "ring:tablet"]);
    expect((await jobsOf(callId))[0]).toMatchObject({ status: "done", attempts: 1 });
  });

  it("the accept's cancel goes from acceptCall itself, after the ring, with no task", async () => {
    const [a, b] = await Promise.all([newUser("pi-a"), withDevices("pi-b")]);
    const callId = `pi-${randomUUID()}`;
    await start(a, b, callId);
    await noPushTasks(callId);
    await b.call("acceptCall", { call_id: callId, device_id: "phone" });
    const got = await delivered({ call_id: callId });
    expect(devicesOf(got)).toEqual(["cancel:tablet", "ring:phone", "ring:tablet"]);
    const ring = got.find((p) => p.data.type === "ring" && p.device_id === "tablet")!;
    const cancel = got.find((p) => p.data.type === "cancel")!;
    expect(cancel.seq).toBeGreaterThan(ring.seq);
    expect(cancel.data.reason).toBe("answered_elsewhere");
  });

  it("budget 0: nothing from the request; the task sends it", async () => {
    process.env[BUDGET] = "0";
    const [a, b] = await Promise.all([newUser("pi-a"), withDevices("pi-b")]);
    // No task either: the job waits, unsent, for the sweep.
    const lost = `pi-${randomUUID()}`;
    await noPushTasks(lost);
    await start(a, b, lost);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pushes({ call_id: lost })).toEqual([]);
    const [job] = await jobsOf(lost);
    expect(job).toMatchObject({ status: "pending", attempts: 0 });
    expect(job!.unsent_since).not.toBeNull();
    // With the task: it sends the ring.
    const callId = `pi-${randomUUID()}`;
    const [d, c] = await Promise.all([newUser("pi-d"), withDevices("pi-c")]);
    await start(d, c, callId);
    const got = await waitPushes({ call_id: callId }, (g) => g.length === 2, "2 rings by the task");
    expect(devicesOf(got)).toEqual(["ring:phone", "ring:tablet"]);
  });

  it("a sender that refuses: the command still answers ok, and the task sends later", async () => {
    const [a, b] = await Promise.all([newUser("pi-a"), withDevices("pi-b", "flaky")]);
    const callId = `pi-${randomUUID()}`;
    await start(a, b, callId); // answered ok
    const got = await waitPushes({ call_id: callId }, (g) => g.length === 2, "2 rings by the task");
    expect(devicesOf(got)).toEqual(["ring:phone", "ring:tablet"]);
    await settledPushes(callId);
    // The inline attempt failed for now on both devices; the task's attempt delivered them.
    const all = (await pushes({ call_id: callId })).sort((x, y) => x.seq - y.seq);
    expect(all.map((p) => p.ok)).toEqual([false, false, true, true]);
    expect((await jobsOf(callId))[0]).toMatchObject({
      status: "done",
      attempts: 2,
      unsent_since: null,
    });
  });

  it("an invitation's ring is committed claimed too, with the devices inviteToCall read", async () => {
    process.env[BUDGET] = "500";
    const [a, b, c] = await Promise.all([
      newUser("pi-a"),
      newUser("pi-b"),
      withDevices("pi-c", "hang"),
    ]);
    const callId = `pi-${randomUUID()}`;
    await a.call("startCall", {
      call_id: callId,
      callees: [{ id: b.uid }],
      type: 1,
      mode: "advanced",
    });
    await b.call("acceptCall", { call_id: callId });
    await b.call("inviteToCall", { call_id: callId, callees: [{ id: c.uid }] });
    // c's ring is held by the recorder: its job is still as the invitation's commit wrote it.
    const held = (await jobDocsOf(callId)).find(
      (j) => j.get("uid") === c.uid && j.get("type") === "ring",
    );
    expect(held?.updateTime.isEqual(held.createTime)).toBe(true);
    expect(held?.data()).toMatchObject({ status: "sending", attempts: 1 });
    expect(Object.keys(held?.get("devices") as object).sort()).toEqual(["phone", "tablet"]);
    const got = await waitPushes({ call_id: callId }, (g) => g.length === 2, "c's 2 rings");
    expect(devicesOf(got)).toEqual(["ring:phone", "ring:tablet"]);
    await settledPushes(callId);
  });

  it("a sender that hangs past the budget holds the answer about the budget; the task delivers", async () => {
    process.env[BUDGET] = "500";
    const [a, b] = await Promise.all([newUser("pi-a"), withDevices("pi-b", "hang")]);
    const callId = `pi-${randomUUID()}`;
    const took = await start(a, b, callId);
    // The recorder holds the first send 3 s: the answer came at about the budget, not then.
    expect(took).toBeGreaterThanOrEqual(500);
    expect(took).toBeLessThan(2500);
    expect(await delivered({ call_id: callId })).toEqual([]);
    // While that send hangs, the job is as startCall's commit wrote it: already claimed for
    // the inline send, with the devices the lookup read (no claim wrote it since).
    const [held] = await jobDocsOf(callId);
    expect(held!.updateTime.isEqual(held!.createTime)).toBe(true);
    expect(held!.data()).toMatchObject({ type: "ring", status: "sending", attempts: 1 });
    expect(Object.keys(held!.get("devices") as object).sort()).toEqual(["phone", "tablet"]);
    const got = await waitPushes({ call_id: callId }, (g) => g.length === 2, "2 rings by the task");
    expect(devicesOf(got)).toEqual(["ring:phone", "ring:tablet"]);
    await settledPushes(callId);
    const [job] = await jobsOf(callId);
    expect(job).toMatchObject({ status: "done", unsent_since: null });
    expect(job!.attempts).toBeGreaterThanOrEqual(2);
  });
});

/**
 * Delivery as seed 002 specifies it: a failed attempt (non-2xx, dropped connection, no answer
 * within 5 s) is retried 2, 4, 8, 16 and 32 s later under one event id, then given up and
 * kept as failed, from where `npm run webhooks -- redrive` sends it again; a receiver that is
 * down for a minute loses nothing; an enqueue lost after the commit is found by the sweep.
 * The queue stand-in waits a fraction of each backoff (RINGBACK_TASKS_RETRY_SCALE, set by
 * `npm test`): the spacing is checked in the queue's seconds, scaled, not waited out in full.
 * The unscaled figures are test/unit/webhookConfig.test.ts's.
 */
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resendUnsent, UNSENT_GRACE_MS } from "../../functions/src/channels/webhooks/backstop.js";
import { backstopContext } from "../support/backstop.js";
import { closeAll, type TestUser } from "../support/clients.js";
import { ring, users } from "../support/calls.js";
import { Receiver, type Behaviour } from "../support/receiver.js";
// @ts-expect-error: a plain JS module of the local stack, without types
import { retryScales } from "../../scripts/standins/scheduledTasks.mjs";
import { eventsOf, logIn, outboxOf } from "./webhookTestKit.js";
import { control } from "../support/control.js";

const receiver = new Receiver();
/** How much of each backoff the queue stand-in waits (1: real time). */
const SCALE: number =
  (retryScales(process.env.RINGBACK_TASKS_RETRY_SCALE) as Map<string, number>).get("webhookTask") ??
  1;
/** A gap between attempts matches a backoff of `seconds` (scaled), late by dispatch time. */
const spaced = (gap: number | undefined, seconds: number) => {
  expect(gap).toBeGreaterThan(seconds * SCALE - 0.05);
  expect(gap).toBeLessThan(seconds * SCALE + Math.max(1, SCALE * 1.5));
};

beforeAll(async () => {
  await receiver.start();
});

/** A caller and a logged-in callee of their own, so that no test finds the other's busy. */
async function pair(): Promise<[TestUser, TestUser]> {
  const [alice, bob] = await users("alice", "bob");
  await logIn(bob);
  return [alice, bob];
}
afterAll(async () => {
  await closeAll();
  await receiver.close();
});

/**
 * A call whose only event for the next minute is its call_create (it rings for 10 min). Its
 * id is chosen here, so that the receiver's script for it (how it answers the call_create) is
 * in place before the first attempt, which may come before startCall answers.
 */
const quietCall = async (script: Behaviour[] = []) => {
  const [alice, bob] = await pair();
  const callId = `quiet-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  if (script.length > 0) receiver.script(callId, script, "call_create");
  return (await ring(alice, bob, { timeout: 600, call_id: callId })).call_id;
};

/** The deliveries of the call's first event (its call_create) alone. */
const firstEvent = (callId: string) => {
  const ds = receiver.deliveries(callId);
  const id = ds[0]?.headers["ringback-event-id"];
  return ds.filter((d) => d.headers["ringback-event-id"] === id);
};

/** Seconds between consecutive deliveries of the call's first event. */
const gaps = (callId: string) => {
  const ds = firstEvent(callId);
  return ds.slice(1).map((d, i) => (d.at - (ds[i]?.at ?? 0)) / 1000);
};

/**
 * The outbox entry of the call's first event once its status is `status`: the receiver sees
 * an attempt a moment before the function records it.
 */
async function firstEntryOnce(callId: string, status: string) {
  let entry: FirebaseFirestore.DocumentData | undefined;
  for (let i = 0; i < 50 && entry?.status !== status; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    [entry] = await outboxOf(callId);
  }
  expect(entry?.status).toBe(status);
  return entry;
}

async function failEnqueues(queue: string, n: number): Promise<void> {
  expect((await control("POST", "/tasks/refuse", { queue, count: n })).status).toBe(200);
}

describe("retries", () => {
  it("2, 4, 8 s apart under one event id, until a 2xx; every attempt recorded", async () => {
    const callId = await quietCall([{ status: 500 }, { status: 503 }, { status: 404 }]);
    await receiver.until(() => receiver.accepted(callId).length === 1, "the 4th attempt", 40_000);
    const ds = receiver.deliveries(callId);
    expect(ds.map((d) => d.answered)).toEqual(["500", "503", "404", "200"]);
    expect(new Set(ds.map((d) => d.headers["ringback-event-id"])).size).toBe(1);
    expect(new Set(ds.map((d) => d.raw)).size).toBe(1); // the same body, byte for byte
    const [g1, g2, g3] = gaps(callId);
    spaced(g1, 2);
    spaced(g2, 4);
    spaced(g3, 8);
    console.log(
      `webhook retry spacing (x${SCALE}): ${[g1, g2, g3].map((g) => g?.toFixed(2)).join(", ")} s`,
    );
    const entry = await firstEntryOnce(callId, "delivered");
    expect(entry?.attempts.map((a: { status?: number }) => a.status)).toEqual([500, 503, 404, 200]);
  });

  it("a dropped connection and a receiver silent for over 5 s are failed attempts", async () => {
    const callId = await quietCall(["drop", { delayMs: 6000 }]);
    await receiver.until(() => receiver.accepted(callId).length === 1, "the 3rd attempt", 40_000);
    const entry = await firstEntryOnce(callId, "delivered");
    const [dropped, silent, ok] = entry?.attempts as { error?: string; status?: number }[];
    expect(dropped?.error).toBeTruthy();
    expect(silent?.error).toBe("no answer within 5000 ms");
    expect(ok?.status).toBe(200);
  });
});

describe("giving up, and re-driving", () => {
  it("after 6 attempts the event is kept as failed; the redrive command delivers it", async () => {
    const callId = await quietCall(Array.from({ length: 6 }, () => ({ status: 500 })));
    // (the caller, silent, goes offline after 60 s: those later events are not counted here)
    await receiver.until(() => firstEvent(callId).length === 6, "6 attempts", 90_000);
    const g = gaps(callId);
    expect(g).toHaveLength(5);
    [2, 4, 8, 16, 32].forEach((seconds, i) => spaced(g[i], seconds));
    const entry = await firstEntryOnce(callId, "failed");
    expect(entry?.attempts).toHaveLength(6);
    // and no 7th attempt (it would come a 32 s backoff later)
    await new Promise((r) => setTimeout(r, Math.max(3000, (32 * SCALE + 1) * 1000)));
    expect(firstEvent(callId)).toHaveLength(6);

    const listed = execFileSync("node", ["scripts/ops/webhooks.mjs", "list"], { encoding: "utf8" });
    expect(listed).toContain(entry?.event_id);
    execFileSync("node", ["scripts/ops/webhooks.mjs", "redrive", entry?.event_id], {
      encoding: "utf8",
    });
    await receiver.until(() => firstEvent(callId).length === 7, "the re-driven event");
    expect(firstEvent(callId)[6]?.answered).toBe("200");
    expect(await firstEntryOnce(callId, "delivered")).toMatchObject({
      event: "call_create",
      status: "delivered",
    });
  });
});

describe("nothing lost", () => {
  // 50 s of the queue's time: within the 62 s its retries span (2 + 4 + 8 + 16 + 32), with
  // room for the timers of a loaded machine at the test's scale (12 s is 1.2 s at x0.1).
  it("a receiver down for 50 s gets every event when it comes back", async () => {
    await receiver.close();
    const [alice, bob] = await pair();
    const started = Date.now();
    const a = await ring(alice, bob);
    await alice.call("cancelCall", { call_id: a.call_id });
    await new Promise((r) => setTimeout(r, Math.max(0, started + 50_000 * SCALE - Date.now())));
    await receiver.start();
    await receiver.until(() => receiver.accepted(a.call_id).length === 3, "3 events", 30_000);
    expect(eventsOf(receiver.accepted(a.call_id))).toEqual([
      "call_create",
      "call_cancel",
      "call_end",
    ]);
  });

  it("an event whose enqueue was lost after the commit is enqueued by the sweep", async () => {
    await failEnqueues("webhookTask", 1000);
    let callId: string;
    try {
      callId = await quietCall();
    } finally {
      await failEnqueues("webhookTask", 0);
    }
    const [entry] = await outboxOf(callId);
    expect(entry).toMatchObject({ event: "call_create", status: "pending" });
    expect(entry?.unsent_since).not.toBeNull();
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.deliveries(callId)).toEqual([]); // the task was never enqueued
    // The sweep, a grace period later (its clock moved forward instead of waiting 30 s).
    const ctx = backstopContext({ outbox: true });
    expect(
      await resendUnsent(ctx, { now: Date.now() + UNSENT_GRACE_MS + 1000 }),
    ).toBeGreaterThanOrEqual(1);
    await receiver.until(() => receiver.accepted(callId).length === 1, "the swept event");
    expect(eventsOf(receiver.accepted(callId))).toEqual(["call_create"]);
  });
});

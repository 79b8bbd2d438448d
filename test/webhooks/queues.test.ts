/**
 * Webhook deliveries spread over queues by call shard (channels/webhooks/queue.ts, the
 * deadline tasks' rule): calls whose shards pick different queues have their callback events
 * delivered by tasks dispatched on each call's own queue (`webhookTask`, `webhookTask1`, …),
 * as the scheduled-task stand-in records, and the receiver still gets each event, signed;
 * an event whose enqueue was lost is enqueued again by the sweep's backstop on that queue.
 * The callables run in this process, so the file routes over the default 4 queues itself (the
 * local stack's functions use one unless told: scripts/stack.mjs).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resendUnsent, UNSENT_GRACE_MS } from "../../functions/src/channels/webhooks/backstop.js";
import { shardOf } from "../../functions/src/adapters/store/shards.js";
import { WEBHOOK_TASKS, webhookTaskOf } from "../../functions/src/channels/webhooks/queue.js";
import { backstopContext } from "../support/backstop.js";
import { ring, users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { control } from "../support/control.js";
import { dispatched, idsPerQueue } from "../support/queues.js";
import { Receiver } from "../support/receiver.js";
import { expectSigned, logIn, outboxOf } from "./webhookTestKit.js";

/** The param's default: the queues a deploy spreads calls over unless told otherwise. */
const QUEUES = 4;
const saved = process.env.RINGBACK_WEBHOOK_QUEUES;
const receiver = new Receiver();

beforeAll(async () => {
  process.env.RINGBACK_WEBHOOK_QUEUES = String(QUEUES);
  await receiver.start();
});

afterAll(async () => {
  await closeAll();
  await receiver.close();
  if (saved === undefined) delete process.env.RINGBACK_WEBHOOK_QUEUES;
  else process.env.RINGBACK_WEBHOOK_QUEUES = saved;
});

describe("sharded webhook queues", () => {
  it("delivers each call's events by tasks on its shard's queue", async () => {
    const pairs = await Promise.all(
      Array.from({ length: QUEUES }, () => users("caller", "callee")),
    );
    for (const [, b] of pairs) await logIn(b);
    const ids = idsPerQueue(
      pairs.map(([a]) => `wq-${a.uid}`),
      WEBHOOK_TASKS,
      webhookTaskOf,
    );
    expect(new Set(ids.map(shardOf)).size).toBe(QUEUES);
    await Promise.all(pairs.map(([a, b], q) => ring(a, b, { call_id: ids[q], timeout: 600 })));
    for (const [q, id] of ids.entries()) await pairs[q]![0].call("cancelCall", { call_id: id });
    for (const [q, id] of ids.entries()) {
      // The cancel committed: the call's events are all in its outbox, none to come.
      const events = await outboxOf(id);
      const eventIds = new Set(events.map((e) => e.event_id as string));
      expect(events.map((e) => e.event)).toContain("call_cancel");
      for (const e of events) expect(e.shard).toBe(shardOf(id));
      // Not a timing test: the first task of a queue boots its function's worker.
      const got = () => new Set(receiver.accepted(id).map((d) => d.headers["ringback-event-id"]));
      await receiver.until(() => got().size === eventIds.size, `${id}'s events`, 90_000);
      expect(got()).toEqual(eventIds);
      for (const d of receiver.accepted(id)) expectSigned(d);
      // Each event's task ran on the call's shard's queue (the call's deadline task, also
      // named `<call_id>-…`, is left out: it has queues of its own).
      const tasks = await dispatched(
        `${id}-`,
        (t) => eventIds.has(t),
        (t) => Object.keys(t).length >= eventIds.size,
      );
      expect(tasks).toEqual(Object.fromEntries([...eventIds].map((e) => [e, WEBHOOK_TASKS[q]])));
    }
  }, 300_000);

  it("the sweep's backstop enqueues a lost event again on its call's queue", async () => {
    const [alice, bob] = await users("caller", "callee");
    await logIn(bob);
    const q = 2; // not queue 0: the backstop must route, not fall back to webhookTask
    let n = 0;
    while (webhookTaskOf(`wqb-${alice.uid}-${n}`, QUEUES) !== WEBHOOK_TASKS[q]) n++;
    const id = `wqb-${alice.uid}-${n}`;
    expect(webhookTaskOf(id, QUEUES)).toBe(WEBHOOK_TASKS[q]);
    const refuse = (count: number) =>
      control("POST", "/tasks/refuse", { queue: WEBHOOK_TASKS[q], count });
    expect((await refuse(1000)).status).toBe(200);
    try {
      await ring(alice, bob, { call_id: id, timeout: 600 });
    } finally {
      expect((await refuse(0)).status).toBe(200);
    }
    const [entry] = await outboxOf(id);
    expect(entry).toMatchObject({ event: "call_create", status: "pending" });
    expect(entry?.unsent_since).not.toBeNull();
    // The sweep, a grace period later (its clock moved forward instead of waiting 30 s).
    const ctx = backstopContext({ outbox: true });
    expect(
      await resendUnsent(ctx, { now: Date.now() + UNSENT_GRACE_MS + 1000 }),
    ).toBeGreaterThanOrEqual(1);
    await receiver.until(() => receiver.accepted(id).length === 1, "the swept event", 90_000);
    const tasks = await dispatched(
      `${id}-`,
      (t) => t === entry?.event_id,
      (t) => Object.keys(t).length === 1,
    );
    expect(tasks).toEqual({ [entry?.event_id as string]: WEBHOOK_TASKS[q] });
  }, 120_000);
});

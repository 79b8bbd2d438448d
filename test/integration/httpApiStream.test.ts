/**
 * callApi's notification stream (docs/http-api.md): live, resumed, refused, twice at once,
 * kept alive and ended. The commands over HTTP: httpApiCommands.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Timestamp } from "firebase-admin/firestore";
import { adminDb } from "../support/admin.js";
import { users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { api, openStream } from "../support/http.js";
import { expectOk, newCallId, startBody } from "../support/httpAnswers.js";
import { userPath } from "../support/names.js";

/** The stack's RINGBACK_STREAM_KEEPALIVE_SECONDS (npm test's main run: 3; deployed: 15). */
const KEEPALIVE_MS = Number(process.env.RINGBACK_STREAM_KEEPALIVE_SECONDS ?? 15) * 1000;

afterAll(closeAll);

describe("the notification stream", () => {
  it("delivers each notification live: id, the path as event, the body as data", async () => {
    const [alice, bob] = await users("alice", "bob");
    const stream = await openStream(bob);
    expect(stream.status).toBe(200);
    await stream.waitComment(/ringback notifications/);
    const call_id = newCallId();
    expectOk(await api(alice, "start_call", startBody(call_id, alice, bob)));
    await bob.waitNotification("/call/notify_call_invited", call_id);
    const stored = bob.notifications(call_id);
    const events = await stream.waitEvents(stored.length);
    expect(events).toEqual(
      stored.map((n) => ({
        id: expect.stringMatching(new RegExp(`^${n.id}@\\d+\\.\\d{9}$`)),
        event: n.path,
        data: n.body,
      })),
    );
    expect(events[0]?.event).toBe("/call/notify_call_invited");
    stream.close();
  });

  it("delivers what is committed before its listener's first snapshot (a slow one)", async () => {
    const [bob] = await users("bob");
    // Many recent notifications make the stream's first snapshot slow to arrive.
    const db = adminDb();
    const mine = db.doc(userPath(bob.uid)).collection("notifications");
    for (let b = 0; b < 8; b++) {
      const batch = db.batch();
      for (let i = 0; i < 400; i++) {
        batch.set(mine.doc(), {
          call_id: "old",
          path: "/call/notify_call_end",
          body: { call_id: "old", id: "" },
          created_at: Timestamp.now(),
          seq: b * 400 + i,
        });
      }
      await batch.commit();
    }
    const stream = await openStream(bob);
    await stream.waitComment(/ringback notifications/);
    const fresh = mine.doc();
    await fresh.set({
      call_id: "new",
      path: "/call/notify_call_end",
      body: { call_id: "new", id: "" },
      created_at: Timestamp.now(),
      seq: 9999,
    });
    const events = await stream.waitEvents(1, 30_000);
    expect(events.map((e) => e.id.split("@")[0])).toEqual([fresh.id]);
    stream.close();
  });

  it("resumes with Last-Event-ID after a disconnect: nothing missed, nothing twice", async () => {
    const [alice, bob] = await users("alice", "bob");
    const first = await openStream(bob);
    await first.waitComment(/ringback notifications/);
    const opened = await waitFor(() => first.lastId(), "the stream's opening id");
    // Events while the first stream is open …
    const c1 = newCallId();
    expectOk(await api(alice, "start_call", startBody(c1, alice, bob)));
    await bob.waitNotification("/call/notify_call_invited", c1);
    await first.waitEvents(bob.notifications(c1).length);
    first.close();
    const lastId = first.lastId() as string;
    // … and while nobody listens: canceled, invited again, the caller hangs up.
    expectOk(await api(alice, "cancel_call", { id: alice.uid, call_id: c1, callee_id: bob.uid }));
    const c2 = newCallId();
    expectOk(await api(alice, "start_call", startBody(c2, alice, bob)));
    expectOk(await api(bob, "accept_call", { id: bob.uid, call_id: c2 }));
    expectOk(await api(alice, "end_call", { id: alice.uid, call_id: c2 }));
    await bob.waitNotification("/call/notify_call_end", c2);
    const all = bob.notifications().filter((n) => n.call_id === c1 || n.call_id === c2);

    const resumed = await openStream(bob, { lastEventId: lastId });
    const missed = await resumed.waitEvents(all.length - first.events.length);
    await new Promise((r) => setTimeout(r, 1000)); // nothing more may come
    expect(resumed.events.length).toBe(all.length - first.events.length);
    const sent = [...first.events, ...resumed.events];
    expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);
    expect(sent.map((e) => e.id.split("@")[0]).sort()).toEqual(all.map((n) => n.id).sort());
    expect(missed.map((e) => e.event)).toContain("/call/notify_call_canceled");
    resumed.close();

    // Resuming from the opening id (before any event) replays all of them, in order.
    const fromStart = await openStream(bob, { lastEventId: opened });
    const replay = await fromStart.waitEvents(all.length);
    expect(replay.map((e) => e.id)).toEqual(sent.map((e) => e.id));
    fromStart.close();
  });

  it("refuses a missing or bad token with 401, and a foreign Last-Event-ID with 400", async () => {
    const [bob] = await users("bob");
    for (const who of [null, "not-a-token"]) {
      const s = await openStream(who);
      expect(s.status).toBe(401);
      expect(s.refusal).toMatchObject({ code: 40101, reason: "unauthenticated" });
    }
    const s = await openStream(bob, { lastEventId: "not-one-of-ours" });
    expect(s.status).toBe(400);
    expect(s.refusal).toMatchObject({ code: 40003, reason: "bad_cursor" });
  });

  it("serves two streams of one user at once, each with every event", async () => {
    const [alice, bob] = await users("alice", "bob");
    const [s1, s2] = await Promise.all([openStream(bob), openStream(bob)]);
    await Promise.all([s1.waitComment(/ringback/), s2.waitComment(/ringback/)]);
    await waitFor(() => s1.lastId() && s2.lastId(), "both opening ids");
    const call_id = newCallId();
    expectOk(await api(alice, "start_call", startBody(call_id, alice, bob)));
    expectOk(await api(alice, "cancel_call", { id: alice.uid, call_id, callee_id: bob.uid }));
    await bob.waitNotification("/call/notify_call_canceled", call_id);
    const n = bob.notifications(call_id).length;
    const [e1, e2] = await Promise.all([s1.waitEvents(n), s2.waitEvents(n)]);
    expect(e1).toEqual(e2);
    expect(e1.map((e) => e.event)).toEqual(bob.notifications(call_id).map((x) => x.path));
    s1.close();
    s2.close();
  });

  it("keeps alive (every RINGBACK_STREAM_KEEPALIVE_SECONDS), and ends after its time (here ?max_seconds=2)", async () => {
    const [bob] = await users("bob");
    const short = await openStream(bob, { query: "?max_seconds=2" });
    const t0 = Date.now();
    await short.ended;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(short.comments.at(-1)).toMatch(/reconnect/);
    const long = await openStream(bob);
    const opened = Date.now();
    await long.waitComment(/keep-alive/, KEEPALIVE_MS + 10_000);
    // The stack's interval, not sooner (its first comment and id come at once).
    expect(Date.now() - opened).toBeGreaterThanOrEqual(KEEPALIVE_MS - 1000);
    long.close();
  }, 40_000);
});

async function waitFor<T>(check: () => T | undefined | "" | false, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

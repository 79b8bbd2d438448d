import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Emitter } from "../../../client/src/emitter.js";
import type { RingbackEvents } from "../../../client/src/events.js";
import { Session } from "../../../client/src/session.js";
import { FakeSource, callDoc, fakeClock, note } from "./fakes.js";

function setup(uid = "bob") {
  const source = new FakeSource();
  const events = new Emitter<RingbackEvents>();
  const heartbeat = vi.fn(async (_id: string) => ({}));
  const ack = vi.fn(async (_id: string) => ({}));
  const session = new Session({
    uid,
    source,
    clock: fakeClock,
    events,
    heartbeat,
    ack,
    backoff: { random: () => 0 },
  });
  const seen: string[] = [];
  const errors: RingbackEvents["error"][] = [];
  events.on("notification", (n) => seen.push(n.id));
  events.on("error", (e) => errors.push(e));
  session.start();
  const flush = () => vi.advanceTimersByTimeAsync(0);
  return { source, events, heartbeat, ack, session, seen, errors, flush };
}

const ringing = (callId: string) => ({
  status: "ringing",
  call_id: callId,
  incoming: { call_id: callId, caller: { id: "alice", name: "Alice" }, type: 2 },
});

describe("Session", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("is live (and says so) only after both listeners have the server's first answer", async () => {
    const { source, session, events } = setup();
    const states: boolean[] = [];
    events.on("state", (s) => states.push(s.live));
    source.pushUser(undefined, true);
    source.pushNotes([], true);
    expect(session.current.live).toBe(false);
    source.pushUser(undefined);
    expect(session.current.live).toBe(false);
    source.pushNotes([]);
    expect(session.current).toMatchObject({ live: true, status: "idle", uid: "bob" });
    expect(states.at(-1)).toBe(true);
  });

  it("keeps history from before sign-in quiet, but tells the invitation ringing now", async () => {
    const { source, seen, flush } = setup();
    const old = note("notify_call_end", "c0", 1000);
    const invite = note("notify_call_invited", "c1", 1000, { caller: { id: "alice" } });
    source.pushNotes([old, invite]);
    source.pushUser(ringing("c1"));
    await flush();
    expect(seen).toEqual([invite.id]);
  });

  it("delivers each notification once, in seq order, across a resubscription", async () => {
    const { source, session, seen, errors, flush } = setup();
    source.pushUser(undefined);
    source.pushNotes([]);
    const n1 = note("notify_call_invited", "c", 1000);
    const n2 = note("notify_call_canceled", "c", 2000);
    const n3 = note("notify_call_invited", "d", 1000);
    source.pushNotes([n2, n1]);
    await flush();
    expect(seen).toEqual([n1.id, n2.id]);

    source.failAll();
    expect(session.current.live).toBe(false);
    expect(errors[0]).toMatchObject({ source: "listener", retryInMs: 1000 });
    expect(source.noteListeners).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(source.noteListeners).toHaveLength(1);
    expect(source.noteListeners[0]?.after).toBe(n2.created_at - 10 * 60_000);
    source.pushUser(undefined);
    source.pushNotes([n1, n2, n3]); // the new listener reads the overlap again
    await flush();
    expect(session.current.live).toBe(true);
    expect(seen).toEqual([n1.id, n2.id, n3.id]);
  });

  it("backs off longer after repeated errors; resync() retries at once", async () => {
    const { source, errors, session } = setup();
    source.failAll();
    await vi.advanceTimersByTimeAsync(1000);
    source.failAll();
    expect(errors.map((e) => e.retryInMs)).toEqual([1000, 2000]);
    session.resync();
    expect(source.users).toHaveLength(1);
  });

  it("heartbeats at the call's interval while calling or in call, and stops after", async () => {
    const { source, heartbeat, session } = setup("alice");
    source.calls.set("c", callDoc("c", { heartbeat_interval: 5 }));
    source.pushNotes([]);
    source.pushUser({ status: "calling", call_id: "c", incoming: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(session.current.call?.heartbeatInterval).toBe(5);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(heartbeat).toHaveBeenCalledTimes(2);
    source.pushUser({ status: "in_call", call_id: "c", incoming: null });
    const at = { toDate: () => new Date(1000) };
    source.setCall(
      "c",
      callDoc(
        "c",
        { state: "ongoing", heartbeat_interval: 5 },
        { bob: { state: "accepted", updated_at: at } },
      ),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(heartbeat).toHaveBeenCalledTimes(3);
    source.setCall(
      "c",
      callDoc("c", { state: "ended", end_reason: "completed" }, { bob: { state: "quit" } }),
    );
    source.pushUser({ status: "idle", call_id: null, incoming: null });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(heartbeat).toHaveBeenCalledTimes(3);
    expect(session.current).toMatchObject({ status: "idle", call: null });
    expect(session.current.lastCall).toMatchObject({ id: "c", endReason: "completed" });
    expect(session.current.lastCall?.connectedAt?.getTime()).toBe(1000); // kept once over
  });

  it("never heartbeats while only ringing", async () => {
    const { source, heartbeat } = setup();
    source.pushNotes([]);
    source.pushUser(ringing("c"));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(heartbeat).not.toHaveBeenCalled();
  });

  it("acks a ringing invitation once when the call asks for the not-received check", async () => {
    const { source, ack, flush } = setup();
    source.calls.set("c", callDoc("c", { not_received_check: true }));
    source.pushNotes([]);
    source.pushUser(ringing("c"));
    await flush();
    source.setCall("c", callDoc("c", { not_received_check: true }));
    await flush();
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack).toHaveBeenCalledWith("c");
  });

  it("does not ack when the call does not ask", async () => {
    const { source, ack, flush } = setup();
    source.calls.set("c", callDoc("c"));
    source.pushNotes([]);
    source.pushUser(ringing("c"));
    await flush();
    expect(ack).not.toHaveBeenCalled();
  });

  it("beats at once after a reconnect when a beat is overdue", async () => {
    const { source, heartbeat } = setup("alice");
    source.calls.set("c", callDoc("c"));
    source.pushNotes([]);
    source.pushUser({ status: "in_call", call_id: "c", incoming: null });
    await vi.advanceTimersByTimeAsync(0);
    source.pushUser({ status: "in_call", call_id: "c", incoming: null }, true); // offline
    vi.setSystemTime(Date.now() + 25_000); // a suspended laptop: no timer ran
    expect(heartbeat).not.toHaveBeenCalled();
    source.pushUser({ status: "in_call", call_id: "c", incoming: null }, false); // back
    expect(heartbeat).toHaveBeenCalledTimes(1);
  });

  it("gives `ended` the call's end reason, read from the call", async () => {
    const { source, events, flush } = setup("alice");
    const ended = vi.fn();
    events.on("ended", ended);
    source.pushNotes([]);
    source.pushUser(undefined);
    source.calls.set("c", callDoc("c", { state: "ended", end_reason: "completed" }));
    source.pushNotes([note("notify_call_end", "c", 3000, { call_id: "c", id: "bob" })]);
    await flush();
    expect(ended).toHaveBeenCalledWith(
      expect.objectContaining({ callId: "c", by: "bob", reason: "completed" }),
    );
  });

  it("a call started and over at once (everyone busy) still becomes lastCall", async () => {
    const { source, session, flush } = setup("alice");
    source.pushNotes([]);
    source.pushUser(undefined);
    source.calls.set("c", callDoc("c", { state: "ended", end_reason: "busy" }));
    session.track("c");
    await flush();
    expect(session.current).toMatchObject({
      status: "idle",
      lastCall: { id: "c", endReason: "busy" },
    });
    expect(source.callListeners.size).toBe(0); // and it is not watched any longer
  });

  it("stops everything on stop()", async () => {
    const { source, session, seen, flush } = setup();
    source.pushNotes([]);
    source.pushUser(undefined);
    session.stop();
    expect(source.users).toHaveLength(0);
    expect(source.noteListeners).toHaveLength(0);
    await flush();
    expect(seen).toEqual([]);
  });
});

/**
 * One-to-one lifecycles end to end: several signed-in users call the callables through the
 * firebase web SDK and watch their own `users/{uid}` doc and notifications.
 */
import { afterAll, describe, expect, it } from "vitest";
import { callDoc } from "../support/admin.js";
import { ring, users, type Started } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { HEARTBEAT } from "../support/heartbeat.js";

afterAll(closeAll);

describe("happy path: invite, ring, accept, heartbeat, end", () => {
  it("both users see every step through their snapshots", async () => {
    const [alice, bob] = await users("alice", "bob");
    const started = await alice.call<Started>("startCall", {
      callees: [{ id: bob.uid, name: "Bobby" }],
      type: 2,
      extended_data: '{"room":"r1"}',
    });
    expect(started.timeout).toBe(60);
    expect(started.error_invitees).toEqual([]);
    const deadline = Date.parse(started.deadline_at);
    expect(deadline).toBeGreaterThan(Date.now() + 50_000);

    const ringing = await bob.waitState((s) => s?.status === "ringing", "ringing");
    expect(ringing?.incoming).toMatchObject({
      call_id: started.call_id,
      caller: { id: alice.uid, name: "alice" },
      type: 2,
      extended_data: '{"room":"r1"}',
    });
    expect(ringing?.incoming.deadline_at.toMillis()).toBe(deadline);
    const invited = await bob.waitNotification("/call/notify_call_invited", started.call_id);
    expect(invited.body).toEqual({
      call_id: started.call_id,
      caller: { id: alice.uid, name: "alice" },
      callees: [{ id: bob.uid, name: "bob" }], // the profile's name, not the request's "Bobby"
      type: 2,
      mode: "common",
      timeout: 60,
      deadline_at: started.deadline_at,
      extended_data: '{"room":"r1"}',
    });
    await alice.waitState(
      (s) => s?.status === "calling" && s.call_id === started.call_id,
      "calling",
    );

    const accepted = await bob.call("acceptCall", {
      call_id: started.call_id,
      extended_data: "hi",
      device_id: "phone-1",
    });
    expect(accepted).toEqual({
      call_id: started.call_id,
      state: "ongoing",
      end_reason: null,
      user_state: "accepted",
    });
    const acceptNote = await alice.waitNotification("/call/notify_call_accept", started.call_id);
    expect(acceptNote.body).toEqual({
      call_id: started.call_id,
      callee_id: bob.uid,
      extended_data: "hi",
    });
    await alice.waitState((s) => s?.status === "in_call", "in_call");
    const bobInCall = await bob.waitState((s) => s?.status === "in_call", "in_call");
    expect(bobInCall).toMatchObject({
      call_id: started.call_id,
      incoming: null,
      device_id: "phone-1",
    });

    await alice.call("heartbeat", { call_id: started.call_id });
    await bob.call("heartbeat", { call_id: started.call_id, id: bob.uid });

    const ended = await alice.call("endCall", { call_id: started.call_id });
    expect(ended).toMatchObject({ state: "ended", end_reason: "completed", user_state: "quit" });
    const endNote = await bob.waitNotification("/call/notify_call_end", started.call_id);
    expect(endNote.body).toEqual({ call_id: started.call_id, id: alice.uid });
    await bob.waitState((s) => s?.status === "idle" && s.call_id === null, "idle");
    await alice.waitState((s) => s?.status === "idle", "idle");

    const call = await callDoc(started.call_id);
    expect(call).toMatchObject({
      state: "ended",
      end_reason: "completed",
      ended_by: alice.uid,
      timeout: 60,
      heartbeat_interval: HEARTBEAT.intervalS,
    });
    expect(call.ended_at.toMillis()).toBeGreaterThanOrEqual(call.created_at.toMillis());
    expect(call.user_ids).toEqual([alice.uid, bob.uid]);
    // Exactly the notifications of this lifecycle, each once.
    expect(alice.notifications(started.call_id).map((n) => n.path)).toEqual([
      "/call/notify_user_state_changed", // bob: inviting
      "/call/notify_call_accept",
      "/call/notify_user_state_changed", // bob: accepted
    ]);
    expect(bob.notifications(started.call_id).map((n) => n.path)).toEqual([
      "/call/notify_call_invited",
      "/call/notify_user_state_changed",
      "/call/notify_user_state_changed",
      "/call/notify_call_end",
    ]);
  });
});

describe("cancel, decline, end by either side", () => {
  it("cancel: the callee is told and stops ringing", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    const res = await alice.call("cancelCall", { call_id, callee_id: bob.uid, id: alice.uid });
    expect(res).toMatchObject({ state: "ended", end_reason: "canceled" });
    const note = await bob.waitNotification("/call/notify_call_canceled", call_id);
    expect(note.body).toEqual({ call_id, caller_id: alice.uid });
    await bob.waitState((s) => s?.status === "idle", "idle");
    await alice.waitState((s) => s?.status === "idle", "idle");
  });

  it("decline: the caller is told with the type and goes idle", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    await bob.call("declineCall", {
      call_id,
      type: 1,
      caller_id: alice.uid,
      extended_data: "later",
    });
    const note = await alice.waitNotification("/call/notify_call_decline", call_id);
    expect(note.body).toEqual({ call_id, callee_id: bob.uid, type: 1, extended_data: "later" });
    await alice.waitState((s) => s?.status === "idle", "idle");
    expect(await callDoc(call_id)).toMatchObject({ end_reason: "declined" });
  });

  it("the callee ends an accepted call: the caller is told", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    await bob.call("acceptCall", { call_id });
    await bob.call("endCall", { call_id });
    const note = await alice.waitNotification("/call/notify_call_end", call_id);
    expect(note.body).toEqual({ call_id, id: bob.uid });
    await alice.waitState((s) => s?.status === "idle", "idle");
  });

  it("the caller ends while ringing: the call is canceled and the callee stops ringing", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    expect(await alice.call("endCall", { call_id })).toMatchObject({ end_reason: "canceled" });
    await bob.waitNotification("/call/notify_call_end", call_id);
    await bob.waitState((s) => s?.status === "idle", "idle");
  });

  it("after a call a user can be called again", async () => {
    const [alice, bob] = await users("alice", "bob");
    const first = await ring(alice, bob);
    await bob.call("declineCall", { call_id: first.call_id, type: 1 });
    const second = await ring(bob, alice);
    expect(second.call_id).not.toBe(first.call_id);
    await alice.call("acceptCall", { call_id: second.call_id });
    await bob.waitState((s) => s?.status === "in_call", "in_call");
  });
});

describe("startCall answers", () => {
  it("a callee who is no user is listed in error_invitees and not invited", async () => {
    const [alice, bob] = await users("alice", "bob");
    const res = await alice.call<Started>("startCall", {
      callees: [{ id: bob.uid }, { id: "no-such-user" }],
      type: 1,
      timeout: 30,
    });
    expect(res.error_invitees).toEqual([{ id: "no-such-user", reason: "user_not_found" }]);
    expect(res.timeout).toBe(30);
    expect((await callDoc(res.call_id)).user_ids).toEqual([alice.uid, bob.uid]);
  });

  it("only unknown callees: not-found, nothing created", async () => {
    const alice = (await users("alice"))[0];
    await expectCallError(
      alice.call("startCall", { callees: [{ id: "ghost" }], type: 1 }),
      "not-found",
      "user_not_found",
    );
    expect(alice.state()).toBeUndefined();
  });

  it("a call id reused with another body is already-exists", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const call_id = `c-${bob.uid}`;
    await alice.call("startCall", { call_id, callees: [{ id: bob.uid }], type: 1 });
    await expectCallError(
      alice.call("startCall", { call_id, callees: [{ id: bob.uid }], type: 2 }),
      "already-exists",
      "call_exists",
    );
    // Another user's start with the same id is theirs, under an id scoped to them (adapters/calls/ids.ts).
    const theirs = await carol.call<{ call_id: string }>("startCall", {
      call_id,
      callees: [{ id: bob.uid }],
      type: 1,
    });
    expect(theirs.call_id).toMatch(new RegExp(`^${call_id}\\.[A-Za-z0-9_-]{22}$`));
    expect((await callDoc(call_id)).caller.id).toBe(alice.uid);
  });
});

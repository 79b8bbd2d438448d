/**
 * Group calls in common mode end to end: one caller, several callees, each answering in
 * their own way, through the firebase web SDK; notify_user_state_changed to
 * exactly its audience.
 */
import { afterAll, describe, expect, it } from "vitest";
import { callDoc, silence, triggerSweep } from "../support/admin.js";
import { connect, pathsOf, ring, ringAll, users, type Started } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";

afterAll(closeAll);

/** Polls `check` (notifications arrive by listener) until it holds, or fails after 10 s. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const STATE_CHANGED = "/call/notify_user_state_changed";

/** The users[] of every notify_user_state_changed `user` got for `callId`, in order. */
const changesSeen = (user: TestUser, callId: string) =>
  user
    .notifications(callId)
    .filter((n) => n.path === STATE_CHANGED)
    .map((n) => (n.body.users as { id: string; state: string }[]).map((u) => `${u.id}:${u.state}`));

describe("common mode, one caller and three callees", () => {
  it("one accepts, one declines, one times out: the call goes on with the two", async () => {
    const [alice, bob, carol, dave] = await users("alice", "bob", "carol", "dave");
    const { call_id, deadline_at } = await ringAll(alice, [bob, carol, dave], { timeout: 3 });

    await bob.call("acceptCall", { call_id });
    await alice.waitState((s) => s?.status === "in_call", "alice in call");
    await carol.call("declineCall", { call_id, type: 1 });
    await carol.waitState((s) => s?.status === "idle", "carol idle");
    expect(dave.state()?.status).toBe("ringing");

    // Dave never answers: the sweep (as Cloud Scheduler would) times him out.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(deadline_at) - Date.now() + 50)));
    await triggerSweep();
    await dave.waitState((s) => s?.status === "idle", "dave idle");
    const call = await callDoc(call_id);
    expect(call.state).toBe("ongoing");
    expect(
      Object.fromEntries(
        Object.values(call.users as Record<string, { id: string; state: string }>).map((u) => [
          u.id,
          u.state,
        ]),
      ),
    ).toEqual({
      [alice.uid]: "accepted",
      [bob.uid]: "accepted",
      [carol.uid]: "rejected",
      [dave.uid]: "timeout",
    });

    // ZEGO Call's notifications, each to its audience.
    await alice.waitNotification("/call/notify_invitees_answered_timeout", call_id);
    await bob.waitNotification("/call/notify_invitees_answered_timeout", call_id);
    await dave.waitNotification("/call/notify_invitation_timeout", call_id);
    expect(pathsOf(alice, call_id).filter((p) => p !== STATE_CHANGED)).toEqual([
      "/call/notify_call_accept",
      "/call/notify_call_decline",
      "/call/notify_invitees_answered_timeout",
    ]);
    expect(pathsOf(bob, call_id).filter((p) => p !== STATE_CHANGED)).toEqual([
      "/call/notify_call_invited",
      "/call/notify_call_decline",
      "/call/notify_invitees_answered_timeout",
    ]);
    // The state-change audience: Inviting and Accepted users hear every change; Rejected and Timeout users
    // hear nothing after their own answer.
    const [b, c, d] = [bob.uid, carol.uid, dave.uid];
    await eventually(() => changesSeen(bob, call_id).length >= 4, "bob hearing 4 changes");
    const invited = [`${b}:inviting`, `${c}:inviting`, `${d}:inviting`];
    expect(changesSeen(alice, call_id)).toEqual([
      invited,
      [`${b}:accepted`],
      [`${c}:rejected`],
      [`${d}:timeout`],
    ]);
    expect(changesSeen(bob, call_id)).toEqual([
      invited,
      [`${b}:accepted`],
      [`${c}:rejected`],
      [`${d}:timeout`],
    ]);
    expect(changesSeen(carol, call_id)).toEqual([invited, [`${b}:accepted`]]);
    expect(changesSeen(dave, call_id)).toEqual([invited, [`${b}:accepted`], [`${c}:rejected`]]);

    await alice.call("endCall", { call_id });
    await bob.waitNotification("/call/notify_call_end", call_id);
    expect((await callDoc(call_id)).end_reason).toBe("completed");
  });

  it("the caller cancels two of three: they stop ringing, the third still rings", async () => {
    const [alice, bob, carol, dave] = await users("alice", "bob", "carol", "dave");
    const { call_id } = await ringAll(alice, [bob, carol, dave]);
    const r = await alice.call("cancelCall", { call_id, callee_ids: [bob.uid, carol.uid] });
    expect(r).toMatchObject({ state: "ringing", user_state: "accepted" });
    await bob.waitState((s) => s?.status === "idle", "bob idle");
    await carol.waitState((s) => s?.status === "idle", "carol idle");
    await bob.waitNotification("/call/notify_call_canceled", call_id);
    await carol.waitNotification("/call/notify_call_canceled", call_id);
    expect(dave.state()).toMatchObject({ status: "ringing", call_id });
    await eventually(() => changesSeen(dave, call_id).length >= 2, "dave hearing the cancel");
    expect(changesSeen(dave, call_id).at(-1)?.sort()).toEqual(
      [`${bob.uid}:canceled`, `${carol.uid}:canceled`].sort(),
    );
    // The rest: cancel with no list cancels whoever still rings; the call ends canceled.
    await alice.call("cancelCall", { call_id });
    await dave.waitState((s) => s?.status === "idle", "dave idle");
    expect((await callDoc(call_id)).end_reason).toBe("canceled");
  });

  it("several invitees accept at once: every accept holds, the caller hears each once", async () => {
    const [alice, ...callees] = await users("alice", "b1", "b2", "b3", "b4", "b5");
    const { call_id } = await ringAll(alice, callees);
    const answers = await Promise.all(callees.map((u) => u.call("acceptCall", { call_id })));
    for (const a of answers) expect(a).toMatchObject({ state: "ongoing", user_state: "accepted" });
    await Promise.all(callees.map((u) => u.waitState((s) => s?.status === "in_call", "in call")));
    const call = await callDoc(call_id);
    expect(call.state).toBe("ongoing");
    for (const u of callees) expect(call.users[u.uid].state).toBe("accepted");
    await alice.waitState((s) => s?.status === "in_call", "alice in call");
    // Exactly one notify_call_accept per callee, none twice.
    await eventually(
      () => pathsOf(alice, call_id).filter((p) => p === "/call/notify_call_accept").length >= 5,
      "alice hearing every accept",
    );
    const accepts = alice
      .notifications(call_id)
      .filter((n) => n.path === "/call/notify_call_accept");
    expect(accepts.map((n) => n.body.callee_id).sort()).toEqual(callees.map((u) => u.uid).sort());
  });

  it("a busy callee is declined with type 2; the others ring", async () => {
    const [alice, bob, carol, erin, frank] = await users("alice", "bob", "carol", "erin", "frank");
    await ring(erin, carol); // carol is ringing in erin's call: busy
    const started = await alice.call<Started>("startCall", {
      callees: [{ id: bob.uid }, { id: carol.uid }, { id: frank.uid }],
      type: 1,
    });
    await bob.waitState((s) => s?.status === "ringing" && s.call_id === started.call_id, "ring");
    await frank.waitState((s) => s?.status === "ringing" && s.call_id === started.call_id, "ring");
    const call = await callDoc(started.call_id);
    expect(call.users[carol.uid]).toMatchObject({ state: "rejected", decline_type: 2 });
    expect(carol.state()).toMatchObject({
      status: "ringing",
      call_id: expect.not.stringMatching(started.call_id),
    });
    const declined = await alice.waitNotification("/call/notify_call_decline", started.call_id);
    expect(declined.body).toMatchObject({ callee_id: carol.uid, type: 2 });
    expect(carol.notifications(started.call_id)).toEqual([]);
  });

  it("a silent participant is timed out; the others are told and the call goes on", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ringAll(alice, [bob, carol]);
    await Promise.all([bob, carol].map((u) => u.call("acceptCall", { call_id })));
    await silence(call_id, bob.uid, 61_000);
    await triggerSweep();
    const timedOut = await alice.waitNotification("/call/notify_timeout", call_id);
    expect(timedOut.body).toMatchObject({ id: bob.uid });
    await carol.waitNotification("/call/notify_timeout", call_id);
    await bob.waitState((s) => s?.status === "idle", "bob idle");
    const call = await callDoc(call_id);
    expect(call.state).toBe("ongoing");
    expect(call.users[bob.uid].state).toBe("quit");
    expect(carol.state()?.status).toBe("in_call");
  });
});

describe("a one-to-one call is a group of one", () => {
  it("connect still works and both hear of the accept as a state change", async () => {
    const [alice, bob] = await users("alice", "bob");
    const call_id = await connect(alice, bob);
    const accepted = (u: TestUser) =>
      changesSeen(u, call_id).some((c) => c.join() === `${bob.uid}:accepted`);
    await eventually(() => accepted(alice) && accepted(bob), "both hearing the accept");
  });
});

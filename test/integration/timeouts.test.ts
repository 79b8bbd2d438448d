/**
 * Server timeouts: invitation timeout (real time, 1-2 s), heartbeat timeout and caller
 * offline (time simulated by moving a heartbeat back), through the scheduled sweep and
 * through any command touching the call.
 */
import { afterAll, describe, expect, it } from "vitest";
import { callDoc, silence, triggerSweep } from "../support/admin.js";
import { connect, ring, users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { HEARTBEAT } from "../support/heartbeat.js";

afterAll(closeAll);

const HEARTBEAT_TIMEOUT_MS = HEARTBEAT.timeoutMs;

/** Sleeps until `iso` (+ `extraMs`) has passed. */
const until = (iso: string, extraMs = 0): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.max(0, Date.parse(iso) - Date.now()) + extraMs));

describe("invitation timeout", () => {
  it("an unanswered invitation times out: callee and caller are told, the call ends no_answer", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id, deadline_at } = await ring(alice, bob, { timeout: 2 });
    // Wait for the deadline itself (2 s), then let the sweep run.
    await until(deadline_at);
    await triggerSweep();
    const note = await bob.waitNotification("/call/notify_invitation_timeout", call_id);
    expect(note.body).toEqual({ call_id });
    const callerNote = await alice.waitNotification(
      "/call/notify_invitees_answered_timeout",
      call_id,
    );
    expect(callerNote.body).toEqual({ call_id, invitees: [bob.uid] });
    await bob.waitState((s) => s?.status === "idle", "idle");
    await alice.waitState((s) => s?.status === "idle", "idle");
    const call = await callDoc(call_id);
    expect(call).toMatchObject({ state: "ended", end_reason: "no_answer", next_deadline_at: null });
    expect(call.users[bob.uid].state).toBe("timeout");
    expect(call.ended_at.toMillis()).toBe(Date.parse(deadline_at));
  });

  it("an accept after the deadline is refused with the current state, and the timeout is applied", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id, deadline_at } = await ring(alice, bob, { timeout: 2 });
    await until(deadline_at, 50);
    const err = await expectCallError(
      bob.call("acceptCall", { call_id }),
      "failed-precondition",
      "call_ended",
    );
    expect(err.details).toMatchObject({
      call_state: "ended",
      user_state: "timeout",
      end_reason: "no_answer",
    });
    // Exactly one timeout notification, whoever (command or sweep) applied it.
    await triggerSweep();
    await alice.waitNotification("/call/notify_invitees_answered_timeout", call_id);
    expect(bob.notifications(call_id).map((n) => n.path)).toEqual([
      "/call/notify_call_invited",
      "/call/notify_user_state_changed", // his own invitation; a Timeout user hears no more
      "/call/notify_invitation_timeout",
    ]);
  });
});

describe("heartbeat timeout", () => {
  it("a silent participant is timed out by the sweep; the other is told with notify_timeout", async () => {
    const [alice, bob] = await users("alice", "bob");
    const call_id = await connect(alice, bob);
    await silence(call_id, bob.uid, HEARTBEAT_TIMEOUT_MS + 1000);
    await triggerSweep();
    const note = await alice.waitNotification("/call/notify_timeout", call_id);
    expect(note.body).toEqual({ call_id, id: bob.uid });
    await alice.waitState((s) => s?.status === "idle", "idle");
    await bob.waitState((s) => s?.status === "idle", "idle");
    const call = await callDoc(call_id);
    expect(call).toMatchObject({ state: "ended", end_reason: "heartbeat_timeout" });
    expect(call.users[bob.uid].state).toBe("quit");
  });

  it("the other side's command applies the overdue timeout before acting", async () => {
    const [alice, bob] = await users("alice", "bob");
    const call_id = await connect(alice, bob);
    await silence(call_id, alice.uid, HEARTBEAT_TIMEOUT_MS + 1000);
    // Bob's heartbeat finds Alice overdue: the call has ended by the time his beat applies.
    await expectCallError(bob.call("heartbeat", { call_id }), "failed-precondition", "call_ended");
    const note = await bob.waitNotification("/call/notify_timeout", call_id);
    expect(note.body).toEqual({ call_id, id: alice.uid });
    expect(await callDoc(call_id)).toMatchObject({ end_reason: "heartbeat_timeout" });
  });

  it("a heartbeat keeps the call alive", async () => {
    const [alice, bob] = await users("alice", "bob");
    const call_id = await connect(alice, bob);
    await silence(call_id, bob.uid, HEARTBEAT_TIMEOUT_MS - 5000);
    await bob.call("heartbeat", { call_id });
    await triggerSweep();
    const call = await callDoc(call_id);
    expect(call.state).toBe("ongoing");
    expect(call.users[bob.uid].heartbeat_at.toMillis()).toBeGreaterThan(Date.now() - 10_000);
  });
});

describe("caller offline", () => {
  it("an inviter who goes silent while ringing cancels the invitation", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await alice.call<{ call_id: string }>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
      timeout: 600,
    });
    await bob.waitState((s) => s?.status === "ringing", "ringing");
    await silence(call_id, alice.uid, HEARTBEAT_TIMEOUT_MS + 1000);
    await triggerSweep();
    const note = await bob.waitNotification("/call/notify_call_canceled", call_id);
    expect(note.body).toEqual({ call_id, caller_id: alice.uid });
    await bob.waitState((s) => s?.status === "idle", "idle");
    expect(await callDoc(call_id)).toMatchObject({ state: "ended", end_reason: "caller_offline" });
  });
});

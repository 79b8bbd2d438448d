/**
 * One device answers (docs/protocol.md#one-device-answers): the device that accepts, joins or
 * starts a call is the user's active device; another device's accept and heartbeat are
 * refused `answered_elsewhere` and keep nothing alive; joinCall switches the device.
 */
import { afterAll, describe, expect, it } from "vitest";
import { callDoc, privateOf, silence, triggerSweep } from "../support/admin.js";
import { ring, ringAll, users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { api } from "../support/http.js";
import { HEARTBEAT } from "../support/heartbeat.js";

afterAll(closeAll);

const HEARTBEAT_TIMEOUT_MS = HEARTBEAT.timeoutMs;

describe("the active device", () => {
  it("a second device's accept is refused answered_elsewhere; the same device's repeat succeeds", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    await bob.call("acceptCall", { call_id, device_id: "bob-phone" });
    await bob.waitState((s) => s?.status === "in_call" && s.device_id === "bob-phone", "in call");
    const e = await expectCallError(
      bob.call("acceptCall", { call_id, device_id: "bob-laptop" }),
      "failed-precondition",
      "answered_elsewhere",
    );
    expect(e.details).toMatchObject({ call_id, active_device_id: "bob-phone" });
    expect(await bob.call("acceptCall", { call_id, device_id: "bob-phone" })).toMatchObject({
      state: "ongoing",
      user_state: "accepted",
    });
    // A command naming no device keeps the old behaviour: a repeat is a success.
    expect(await bob.call("acceptCall", { call_id })).toMatchObject({ user_state: "accepted" });
    const priv = await privateOf(call_id);
    expect(priv?.users?.[bob.uid]?.device_id).toBe("bob-phone");
  });

  it("a non-active device's heartbeat is refused, by the callable and the HTTP door", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob, { device_id: "alice-web" });
    await bob.call("acceptCall", { call_id, device_id: "bob-phone" });
    const before = (await callDoc(call_id)).users[bob.uid].heartbeat_at.toMillis();
    await expectCallError(
      bob.call("heartbeat", { call_id, device_id: "bob-laptop" }),
      "failed-precondition",
      "answered_elsewhere",
    );
    // The caller's device is the one that started the call.
    await expectCallError(
      alice.call("heartbeat", { call_id, device_id: "alice-tablet" }),
      "failed-precondition",
      "answered_elsewhere",
    );
    const http = await api(bob, "heartbeat", { call_id, device_id: "bob-laptop" });
    expect(http.status).toBe(409);
    expect(http.json).toMatchObject({ code: 40913, reason: "answered_elsewhere" });
    const after = await callDoc(call_id);
    expect(after.users[bob.uid].heartbeat_at.toMillis()).toBe(before);
    // The active device beats, by either door, and so does a beat naming no device.
    expect(await bob.call("heartbeat", { call_id, device_id: "bob-phone" })).toMatchObject({
      state: "ongoing",
    });
    expect((await api(bob, "heartbeat", { call_id, device_id: "bob-phone" })).json.code).toBe(0);
    expect((await api(alice, "heartbeat", { call_id })).json.code).toBe(0);
  });

  it("heartbeats from a non-active device keep nothing alive: the heartbeat timeout fires", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    await bob.call("acceptCall", { call_id, device_id: "bob-phone" });
    await silence(call_id, bob.uid, HEARTBEAT_TIMEOUT_MS - 3000);
    await alice.call("heartbeat", { call_id });
    // Bob's phone crashed; his laptop tab keeps beating, and is refused each time.
    await expectCallError(
      bob.call("heartbeat", { call_id, device_id: "bob-laptop" }),
      "failed-precondition",
      "answered_elsewhere",
    );
    await new Promise((r) => setTimeout(r, 3500));
    const last = bob.call("heartbeat", { call_id, device_id: "bob-laptop" });
    await expectCallError(last, "failed-precondition", "call_ended");
    await triggerSweep();
    const call = await callDoc(call_id);
    expect(call).toMatchObject({ state: "ended", end_reason: "heartbeat_timeout" });
    expect(call.users[bob.uid].state).toBe("quit");
    const note = await alice.waitNotification("/call/notify_timeout", call_id);
    expect(note.body).toEqual({ call_id, id: bob.uid });
  });

  it("joinCall by an accepted user switches the device; the old one's beats are refused", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ringAll(alice, [bob, carol], { mode: "advanced" });
    await bob.call("acceptCall", { call_id, device_id: "bob-phone" });
    await bob.call("joinCall", { call_id, device_id: "bob-laptop" });
    await bob.waitState((s) => s?.device_id === "bob-laptop", "active device bob-laptop");
    await expectCallError(
      bob.call("heartbeat", { call_id, device_id: "bob-phone" }),
      "failed-precondition",
      "answered_elsewhere",
    );
    await expectCallError(
      bob.call("acceptCall", { call_id, device_id: "bob-phone" }),
      "failed-precondition",
      "answered_elsewhere",
    );
    expect(await bob.call("heartbeat", { call_id, device_id: "bob-laptop" })).toMatchObject({
      user_state: "accepted",
    });
    // Nobody else was told of the switch: Carol hears her invitation and Bob's accept (both
    // written before the join), then nothing more.
    const changes = () =>
      carol.notifications(call_id).filter((n) => n.path === "/call/notify_user_state_changed");
    await carol.until(() => changes().length >= 2, "the invitation's and the accept's changes");
    await new Promise((r) => setTimeout(r, 1000));
    expect(changes()).toHaveLength(2);
  });

  it("an accept naming no device after an ack leaves no active device (acking is not answering)", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    await bob.call("ackCall", { call_id, device_id: "bob-tablet" });
    await bob.call("acceptCall", { call_id });
    await bob.waitState((s) => s?.status === "in_call", "in call");
    expect(bob.state()?.device_id ?? null).toBeNull();
    // With no active device, any device's beat counts, as before.
    expect(await bob.call("heartbeat", { call_id, device_id: "bob-tablet" })).toMatchObject({
      state: "ongoing",
    });
  });
});

/**
 * The SDK's one active device (docs/protocol.md#one-device-answers), on the real emulators:
 * two sessions of one user, and only one is active; dispose() mid-call ends the call for the
 * peer at once; history entries carry durations.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeSdkUsers, sdkUser } from "./sdkUsers.js";

afterAll(closeSdkUsers);

describe("two sessions of one user", () => {
  it("only the device that accepted is active; the other hears answeredElsewhere", async () => {
    const alice = await sdkUser("alice");
    const phone = await sdkUser("bob", { deviceId: "bob-phone" });
    const laptop = await sdkUser("bob", { sameUserAs: phone, deviceId: "bob-laptop" });
    const elsewhere: { callId: string; deviceId: string }[] = [];
    laptop.rb.on("answeredElsewhere", (e) => elsewhere.push(e));
    const { call_id } = await alice.rb.ring({ callees: [{ id: phone.uid }], type: 1 });
    await laptop.waitState((s) => s.status === "ringing", "ringing on the laptop too");
    expect(laptop.rb.state.isThisDevice).toBe(true); // every device rings
    await phone.rb.accept(call_id);
    // The call doc may land a moment after the status: wait for both.
    const on = await phone.waitState(
      (s) => s.status === "in_call" && s.call?.state === "ongoing",
      "in call on the phone",
    );
    expect(on).toMatchObject({ activeDeviceId: "bob-phone", isThisDevice: true });
    const off = await laptop.waitState(
      (s) => s.status === "in_call" && !s.isThisDevice,
      "the laptop sees the call elsewhere",
    );
    expect(off.activeDeviceId).toBe("bob-phone");
    expect(elsewhere).toEqual([{ callId: call_id, deviceId: "bob-phone" }]);
    // The laptop's own accept and heartbeat are refused.
    await expect(laptop.rb.accept(call_id)).rejects.toMatchObject({
      reason: "answered_elsewhere",
    });
    await expect(laptop.rb.heartbeat(call_id)).rejects.toMatchObject({
      reason: "answered_elsewhere",
    });
    // connectedAt is the server's connected_at.
    expect(on.call?.connectedAt).toBeInstanceOf(Date);
    await alice.waitState(
      (s) => s.call?.connectedAt !== null && s.call?.connectedAt !== undefined,
      "connected",
    );
    expect(alice.rb.state.call?.connectedAt?.getTime()).toBe(on.call?.connectedAt?.getTime());
  });
});

describe("leaving mid-call", () => {
  it("dispose() mid-call ends the call for the peer within a second", async () => {
    const alice = await sdkUser("alice");
    const bob = await sdkUser("bob");
    const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 1 });
    await bob.waitState((s) => s.status === "ringing", "ringing");
    await bob.rb.accept(call_id);
    await alice.waitState((s) => s.status === "in_call", "in call");
    const t0 = Date.now();
    await bob.rb.dispose();
    await alice.waitEvent("ended", call_id);
    expect(Date.now() - t0).toBeLessThan(1000 + 2000); // the end's own round trip included
    const st = await alice.waitState((s) => s.status === "idle", "idle");
    expect(st.lastCall).toMatchObject({ id: call_id, endReason: "completed" });
  });

  it("history entries carry connected_at, ended_at and duration", async () => {
    const alice = await sdkUser("alice");
    const bob = await sdkUser("bob");
    const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 1 });
    await bob.waitState((s) => s.status === "ringing", "ringing");
    await bob.rb.accept(call_id);
    await new Promise((r) => setTimeout(r, 1100));
    await alice.rb.end(call_id);
    const { calls } = await alice.rb.list();
    const e = calls.find((c) => c.call_id === call_id);
    expect(e).toMatchObject({ state: "ended", end_reason: "completed" });
    expect(e?.connected_at).not.toBeNull();
    expect(e?.duration).toBeGreaterThanOrEqual(1);
  });
});

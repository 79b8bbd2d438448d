/**
 * Devices: registration (login/logout), every device of a user ringing and stopping at once
 * when one answers, the call recording which device answered, and logged-out invitees.
 */
import { afterAll, describe, expect, it } from "vitest";
import { adminDb, callDoc, privateOf } from "../support/admin.js";
import { ring, users, type Started } from "../support/calls.js";
import { closeAll, newUser } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { userPath } from "../support/names.js";

afterAll(closeAll);

describe("registerDevice / unregisterDevice", () => {
  it("keeps users/{uid}/devices/{device_id} with platform, tokens and last seen", async () => {
    const [bob] = await users("bob");
    const r1 = await bob.call("registerDevice", {
      device_id: "bob-phone",
      platform: "ios",
      fcm_token: "fcm-1",
      voip_token: "voip-1",
    });
    expect(r1).toEqual({ device_id: "bob-phone", devices: 1 });
    const ref = adminDb().doc(userPath(bob.uid)).collection("devices").doc("bob-phone");
    const first = (await ref.get()).data();
    expect(first).toMatchObject({ platform: "ios", fcm_token: "fcm-1", voip_token: "voip-1" });
    // Registering again (a new token, say) keeps when it was first registered.
    await bob.call("registerDevice", {
      device_id: "bob-phone",
      platform: "ios",
      fcm_token: "fcm-2",
    });
    const again = (await ref.get()).data();
    expect(again?.fcm_token).toBe("fcm-2");
    expect(again?.registered_at.toMillis()).toBe(first?.registered_at.toMillis());
    expect(again?.last_seen.toMillis()).toBeGreaterThanOrEqual(first?.last_seen.toMillis());
    expect(await bob.call("registerDevice", { device_id: "bob-web", platform: "web" })).toEqual({
      device_id: "bob-web",
      devices: 2,
    });
    expect(await bob.call("unregisterDevice", { device_id: "bob-phone" })).toEqual({
      device_id: "bob-phone",
      devices: 1,
    });
    expect((await ref.get()).exists).toBe(false);
    // Logging out twice is a success.
    expect(await bob.call("unregisterDevice", { device_id: "bob-phone" })).toMatchObject({
      devices: 1,
    });
  });

  it("bad input is invalid-argument; another user's devices cannot be touched", async () => {
    const [bob, eve] = await users("bob", "eve");
    await expectCallError(
      bob.call("registerDevice", { device_id: "x", platform: "nokia" }),
      "invalid-argument",
    );
    await expectCallError(
      bob.call("registerDevice", { device_id: "a/b", platform: "ios" }),
      "invalid-argument",
    );
    await expectCallError(
      eve.call("unregisterDevice", { id: bob.uid, device_id: "bob-phone" }),
      "permission-denied",
      "impersonation",
    );
  });
});

describe("several devices of one user", () => {
  it("both devices ring; one accepts; both stop at once; the call records that device", async () => {
    const [alice, bobPhone] = await users("alice", "bob");
    const bobLaptop = await newUser("bob", bobPhone);
    expect(bobLaptop.uid).toBe(bobPhone.uid);
    const { call_id } = await ring(alice, bobPhone);
    await bobLaptop.waitState(
      (s) => s?.status === "ringing" && s.call_id === call_id,
      "laptop rings",
    );
    await bobLaptop.call("acceptCall", { call_id, device_id: "bob-laptop" });
    await bobPhone.waitState((s) => s?.status === "in_call", "the phone stops ringing");
    await bobLaptop.waitState((s) => s?.status === "in_call", "the laptop is in the call");
    expect(bobPhone.state()?.device_id).toBe("bob-laptop");
    expect((await privateOf(call_id))?.users[bobPhone.uid].device_id).toBe("bob-laptop");
    // The phone's late accept is refused answered_elsewhere (one device answers); it does not
    // take the call over.
    await expectCallError(
      bobPhone.call("acceptCall", { call_id, device_id: "bob-phone" }),
      "failed-precondition",
      "answered_elsewhere",
    );
    expect((await privateOf(call_id))?.users[bobPhone.uid].device_id).toBe("bob-laptop");
  });

  it("a decline from one device stops the other and is recorded", async () => {
    const [alice, bobPhone] = await users("alice", "bob");
    const bobWatch = await newUser("bob", bobPhone);
    const { call_id } = await ring(alice, bobPhone);
    await bobWatch.waitState((s) => s?.status === "ringing", "watch rings");
    await bobWatch.call("declineCall", { call_id, type: 1, device_id: "bob-watch" });
    await bobPhone.waitState((s) => s?.status === "idle", "phone stops");
    expect((await callDoc(call_id)).users[bobPhone.uid].state).toBe("rejected");
    expect((await privateOf(call_id))?.users[bobPhone.uid].device_id).toBe("bob-watch");
  });
});

describe("logged out", () => {
  it("an invitee with no registered device is recorded logged out, and still rings", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    await bob.call("registerDevice", {
      device_id: "bob-phone",
      platform: "android",
      fcm_token: "t",
    });
    const s = await alice.call<Started>("startCall", {
      callees: [{ id: bob.uid }, { id: carol.uid }],
      type: 1,
    });
    await carol.waitState((x) => x?.status === "ringing" && x.call_id === s.call_id, "carol rings");
    const call = await callDoc(s.call_id);
    expect((await privateOf(call.call_id))?.users[carol.uid].logged_out).toBe(true);
    expect((await privateOf(call.call_id))?.users[bob.uid]?.logged_out).toBeUndefined();
  });
});

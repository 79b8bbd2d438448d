/**
 * Offline push end to end (docs/protocol.md#offline-push): real emulators, the functions'
 * pushes caught by the stack's local push recorder (which stands in for FCM and APNs). A ring
 * to each device of each invitee; one cancel, with its reason, to exactly the devices rung
 * when that invitee's ringing ends; never a ring for a busy invitee; tokens pruned and moved.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { adminDb } from "../support/admin.js";
import { ring, ringAll, users, type Started } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";
import {
  delivered,
  pushes,
  settledPushes,
  waitPushes,
  type RecordedPush,
} from "../support/pushes.js";

afterAll(closeAll);
// Pushes go through a task queue: on a loaded machine a call's pushes can take seconds.
vi.setConfig({ testTimeout: 150_000 });

/** Registers `u`'s devices: a phone (FCM), an iPad (VoIP + FCM), a browser (FCM). */
async function devices(u: TestUser, which: ("phone" | "ipad" | "web" | "bare")[] = ["phone"]) {
  const t = (d: string) => `${d}-${u.uid}`;
  for (const d of which) {
    const body =
      d === "phone"
        ? { platform: "android", fcm_token: t("fcm-phone") }
        : d === "ipad"
          ? { platform: "ios", fcm_token: t("fcm-ipad"), voip_token: t("voip-ipad") }
          : d === "web"
            ? { platform: "web", fcm_token: t("fcm-web") }
            : { platform: "android" };
    await u.call("registerDevice", { device_id: d, ...body });
  }
}

const by = (ps: RecordedPush[]) =>
  ps
    .map(
      (p) =>
        `${p.data.type}:${p.uid}/${p.device_id}:${p.channel}${p.data.reason ? `:${p.data.reason}` : ""}`,
    )
    .sort();

/** The delivered pushes of a call once all its jobs are done. */
async function final(callId: string): Promise<string[]> {
  await settledPushes(callId);
  return by(await delivered({ call_id: callId }));
}

describe("ring", () => {
  it("rings every device of the invitee: FCM data-only, VoIP for iOS; TTL and collapse key", async () => {
    const [alice, bob] = await users("alice", "bob");
    await devices(bob, ["phone", "ipad", "web", "bare"]);
    const s = await ring(alice, bob, {
      type: 2,
      push: { title: "Alice", content: "Video call", payload: '{"k":1}' },
    });
    const got = await waitPushes({ call_id: s.call_id }, (g) => g.length >= 3, "3 rings");
    expect(by(got)).toEqual(
      [`ring:${bob.uid}/ipad:voip`, `ring:${bob.uid}/phone:fcm`, `ring:${bob.uid}/web:fcm`].sort(),
    );
    const phone = got.find((p) => p.device_id === "phone")!;
    expect(phone.data).toEqual({
      type: "ring",
      call_id: s.call_id,
      caller_id: alice.uid,
      caller_name: alice.name,
      call_type: "2",
      expires_at: s.deadline_at,
      sent_at: expect.any(String),
      // Built by the server from the caller's name; the caller's title and content are not shown.
      title: alice.name,
      content: "Incoming video call",
      payload: '{"k":1}',
    });
    // sent_at: when the server handed it over, so the app needs no clock of its own.
    expect(Math.abs(Date.parse(phone.data.sent_at!) - phone.sent_at)).toBeLessThan(2000);
    // The FCM v1 message: data only (no notification), high priority, TTL = ring time left
    // (firebase-admin's android.ttl is in ms), collapse key = call id.
    const w = phone.wire;
    expect(Object.keys(w).sort()).toEqual(["android", "apns", "data", "token", "webpush"]);
    expect(w.token).toBe(`fcm-phone-${bob.uid}`);
    expect(w.android.priority).toBe("high");
    expect(w.android.collapseKey).toBe(s.call_id);
    const left = Date.parse(s.deadline_at) - phone.sent_at;
    expect(Math.abs(w.android.ttl - left)).toBeLessThan(50);
    expect(w.android.ttl).toBeGreaterThan(10_000); // (the shared test machine can be slow)
    expect(w.android.ttl).toBeLessThanOrEqual(60_000);
    expect(w.webpush.headers.Urgency).toBe("high");
    expect(w.apns.headers["apns-collapse-id"]).toBe(s.call_id);
    // The iPad's ring: an APNs VoIP push, expiring at the deadline.
    const ipad = got.find((p) => p.device_id === "ipad")!;
    expect(ipad.token).toBe(`voip-ipad-${bob.uid}`);
    expect(ipad.wire.path).toBe(`/3/device/voip-ipad-${bob.uid}`);
    expect(ipad.wire.headers).toMatchObject({
      "apns-push-type": "voip",
      "apns-topic": expect.stringMatching(/\.voip$/),
      "apns-priority": "10",
      "apns-expiration": String(Math.floor(Date.parse(s.deadline_at) / 1000)),
    });
    expect(JSON.parse(ipad.wire.body)).toMatchObject({ type: "ring", call_id: s.call_id });
  });

  it("a group call rings each device of each invitee; a busy invitee is not rung", async () => {
    const [alice, bob, carol, dave, erin] = await users("alice", "bob", "carol", "dave", "erin");
    await Promise.all([devices(bob, ["phone", "web"]), devices(carol, ["ipad"]), devices(dave)]);
    await ring(erin, dave); // dave is busy
    const s = await alice.call<Started>("startCall", {
      callees: [{ id: bob.uid }, { id: carol.uid }, { id: dave.uid }],
      type: 1,
    });
    await bob.waitState((d) => d?.status === "ringing", "bob rings");
    await waitPushes({ call_id: s.call_id }, (g) => g.length >= 3, "3 rings");
    await alice.call("cancelCall", { call_id: s.call_id });
    expect(await final(s.call_id)).toEqual(
      [
        `ring:${bob.uid}/phone:fcm`,
        `ring:${bob.uid}/web:fcm`,
        `ring:${carol.uid}/ipad:voip`,
        `cancel:${bob.uid}/phone:fcm:canceled`,
        `cancel:${bob.uid}/web:fcm:canceled`,
        // a cancel never goes as VoIP: the iPad's goes through FCM
        `cancel:${carol.uid}/ipad:fcm:canceled`,
      ].sort(),
    );
    expect(await pushes({ call_id: s.call_id, uid: dave.uid })).toEqual([]);
  });
});

describe("cancel, on every end path, to exactly the devices rung", () => {
  it("multi-device answer: the phone accepts, the others get answered_elsewhere", async () => {
    const [alice, bob] = await users("alice", "bob");
    await devices(bob, ["phone", "ipad", "web"]);
    const s = await ring(alice, bob);
    await waitPushes({ call_id: s.call_id }, (g) => g.length >= 3, "3 rings");
    await bob.call("acceptCall", { call_id: s.call_id, device_id: "phone" });
    await bob.call("acceptCall", { call_id: s.call_id, device_id: "phone" }); // a retry
    expect(await final(s.call_id)).toEqual(
      [
        `ring:${bob.uid}/phone:fcm`,
        `ring:${bob.uid}/ipad:voip`,
        `ring:${bob.uid}/web:fcm`,
        `cancel:${bob.uid}/ipad:fcm:answered_elsewhere`,
        `cancel:${bob.uid}/web:fcm:answered_elsewhere`,
      ].sort(),
    );
    const cancel = (await delivered({ call_id: s.call_id, type: "cancel" }))[0]!;
    expect(cancel.wire.android.collapseKey).toBe(s.call_id); // replaces a ring still queued
    expect(cancel.data).toMatchObject({ reason: "answered_elsewhere", caller_id: alice.uid });
    await alice.call("endCall", { call_id: s.call_id });
    await settledPushes(s.call_id);
    expect(await delivered({ call_id: s.call_id, type: "cancel" })).toHaveLength(2);
  });

  it("declined, busy, timed out, and a call ended while ringing", async () => {
    const [alice, bob, carol, dave, erin] = await users("alice", "bob", "carol", "dave", "erin");
    await Promise.all([bob, carol, dave, erin].map((u) => devices(u, ["phone", "web"])));
    const s = await ringAll(alice, [bob, carol, dave, erin], { timeout: 30 });
    await waitPushes({ call_id: s.call_id }, (g) => g.length >= 8, "8 rings", 28_000);
    await bob.call("declineCall", { call_id: s.call_id, type: 1, device_id: "web" });
    await carol.call("declineCall", { call_id: s.call_id, type: 2 });
    await dave.call("acceptCall", { call_id: s.call_id, device_id: "phone" });
    await erin.waitState((d) => d?.status === "idle", "erin times out", 60_000);
    const got = await final(s.call_id);
    expect(got.filter((p) => p.startsWith("cancel"))).toEqual(
      [
        `cancel:${bob.uid}/phone:fcm:declined`, // not to the web, which declined
        `cancel:${carol.uid}/phone:fcm:busy`,
        `cancel:${carol.uid}/web:fcm:busy`,
        `cancel:${dave.uid}/web:fcm:answered_elsewhere`,
        `cancel:${erin.uid}/phone:fcm:timeout`,
        `cancel:${erin.uid}/web:fcm:timeout`,
      ].sort(),
    );
    // A group call ended while one invitee still rings: call_ended.
    const [frank, gina, hank] = await users("frank", "gina", "hank");
    await Promise.all([frank, gina].map((u) => devices(u)));
    const g = await ringAll(hank, [frank, gina]);
    // (Accepting before the ring went out would stop it: no ghost ring, and no cancel.)
    await waitPushes({ call_id: g.call_id, type: "ring" }, (x) => x.length >= 2, "2 rings");
    await frank.call("acceptCall", { call_id: g.call_id });
    await hank.call("endCall", { call_id: g.call_id });
    expect((await final(g.call_id)).filter((p) => p.startsWith("cancel"))).toEqual(
      [
        `cancel:${frank.uid}/phone:fcm:answered_elsewhere`, // accepted with no device named
        `cancel:${gina.uid}/phone:fcm:call_ended`,
      ].sort(),
    );
  });

  it("the caller logs out of their last device while ringing: canceled, invitees told", async () => {
    const [alice, bob] = await users("alice", "bob");
    await Promise.all([devices(alice), devices(bob, ["phone", "ipad"])]);
    const s = await ring(alice, bob);
    await waitPushes({ call_id: s.call_id }, (g) => g.length >= 2, "2 rings");
    expect(await alice.call("unregisterDevice", { device_id: "phone" })).toMatchObject({
      devices: 0,
    });
    await bob.waitState((d) => d?.status === "idle", "bob stops ringing");
    const call = (await adminDb().doc(`calls/${s.call_id}`).get()).data();
    expect(call).toMatchObject({ state: "ended", end_reason: "caller_offline" });
    expect((await final(s.call_id)).filter((p) => p.startsWith("cancel"))).toEqual(
      [`cancel:${bob.uid}/phone:fcm:canceled`, `cancel:${bob.uid}/ipad:fcm:canceled`].sort(),
    );
  });
});

describe("at most once per device, whatever retries", () => {
  it("a retried startCall and a flaky token: one ring each, no duplicate", async () => {
    const [alice, bob] = await users("alice", "bob");
    await bob.call("registerDevice", {
      device_id: "phone",
      platform: "android",
      fcm_token: `flaky-${bob.uid}`,
    });
    await devices(bob, ["web"]);
    const body = { call_id: `retry-${bob.uid.slice(0, 8)}`, callees: [{ id: bob.uid }], type: 1 };
    const s = await alice.call<Started>("startCall", body);
    await alice.call<Started>("startCall", body); // the same start again: its first answer
    await settledPushes(s.call_id);
    const all = await pushes({ call_id: s.call_id });
    // The flaky token failed once (transient), was tried again by the queue, and got one ring.
    expect(all.filter((p) => p.device_id === "phone").map((p) => p.ok)).toEqual([false, true]);
    expect(by(all.filter((p) => p.ok))).toEqual(
      [`ring:${bob.uid}/phone:fcm`, `ring:${bob.uid}/web:fcm`].sort(),
    );
  });
});

describe("devices", () => {
  it("a token FCM calls unregistered is removed from the device doc", async () => {
    const [alice, bob] = await users("alice", "bob");
    await bob.call("registerDevice", {
      device_id: "old-phone",
      platform: "android",
      fcm_token: `unregistered-${bob.uid}`,
    });
    const s = await ring(alice, bob);
    await settledPushes(s.call_id);
    const [p] = await pushes({ call_id: s.call_id });
    expect(p).toMatchObject({ ok: false, code: "messaging/registration-token-not-registered" });
    const dev = await adminDb().doc(`users/${bob.uid}/devices/old-phone`).get();
    expect(dev.get("fcm_token")).toBeNull();
    expect(dev.exists).toBe(true);
  });

  it("re-registering without a token keeps it; a token moves to the account that registers it", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const token = `shared-${bob.uid}`;
    await bob.call("registerDevice", {
      device_id: "phone",
      platform: "ios",
      fcm_token: token,
      voip_token: `v-${token}`,
    });
    await bob.call("registerDevice", { device_id: "phone", platform: "ios" });
    const bobPhone = adminDb().doc(`users/${bob.uid}/devices/phone`);
    expect((await bobPhone.get()).data()).toMatchObject({
      fcm_token: token,
      voip_token: `v-${token}`,
    });
    // The phone signs in as Carol: Bob's device no longer holds its tokens.
    await carol.call("registerDevice", {
      device_id: "phone",
      platform: "ios",
      fcm_token: token,
      voip_token: `v-${token}`,
    });
    expect((await bobPhone.get()).data()).toMatchObject({ fcm_token: null, voip_token: null });
    const s = await ring(alice, bob);
    await settledPushes(s.call_id);
    expect(await pushes({ call_id: s.call_id })).toEqual([]); // Bob's call never rings the phone
    await alice.call("cancelCall", { call_id: s.call_id });
    const c = await ring(alice, carol);
    await waitPushes({ call_id: c.call_id }, (g) => g.length === 1, "carol's ring");
  });

  it("at most 10 devices a user: the one seen longest ago is dropped", async () => {
    const [bob] = await users("bob");
    for (let i = 0; i < 10; i++) {
      await bob.call("registerDevice", {
        device_id: `d${i}`,
        platform: "web",
        fcm_token: `t${i}-${bob.uid}`,
      });
    }
    await bob.call("registerDevice", { device_id: "d0", platform: "web" }); // d0 seen again
    const r = await bob.call("registerDevice", { device_id: "d10", platform: "web" });
    expect(r).toEqual({ device_id: "d10", devices: 10 });
    const left = await adminDb().collection(`users/${bob.uid}/devices`).get();
    expect(left.docs.map((d) => d.id).sort()).toEqual(
      ["d0", "d10", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9"].sort(),
    );
  });
});

/**
 * Push, the parts a device's answer and a ring's size decide (docs/protocol.md#offline-push),
 * end to end on the emulators with the stack's push recorder: the cancel spares exactly the
 * device the answering command named, never one that only acked; a device's APNs
 * environment travels with its VoIP ring; a cancel goes at normal priority; a `push` too big
 * to send is refused by both doors at the exact byte, with nothing written.
 */
import { afterAll, describe, expect, it, vi } from "vitest";
import { escapedBytes, FCM_DATA_LIMIT, fcmDataBytes } from "../../functions/src/core/pushSize.js";
import { adminDb, footprint } from "../support/admin.js";
import { ring, users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { api } from "../support/http.js";
import { delivered, settledPushes, waitPushes } from "../support/pushes.js";

afterAll(closeAll);
vi.setConfig({ testTimeout: 150_000 });

/** Where each cancel of the call went: `device:reason`, sorted. */
async function cancels(callId: string): Promise<string[]> {
  await settledPushes(callId);
  const got = await delivered({ call_id: callId, type: "cancel" });
  return got.map((p) => `${p.device_id}:${p.data.reason}`).sort();
}

describe("the answering device", () => {
  it("acked on the phone, answered on the tablet: the phone gets the cancel, the tablet not", async () => {
    const [alice, bob] = await users("alice", "bob");
    for (const d of ["phone", "tablet"]) {
      await bob.call("registerDevice", {
        device_id: d,
        platform: "android",
        fcm_token: `${d}-${bob.uid}`,
      });
    }
    const s = await ring(alice, bob);
    await waitPushes({ call_id: s.call_id }, (g) => g.length >= 2, "2 rings");
    await bob.call("ackCall", { call_id: s.call_id, device_id: "phone" });
    await bob.call("acceptCall", { call_id: s.call_id, device_id: "tablet" });
    // Before: the cancel spared the acked phone (it rang on) and hung up the tablet.
    expect(await cancels(s.call_id)).toEqual(["phone:answered_elsewhere"]);
    const c = (await delivered({ call_id: s.call_id, type: "cancel" }))[0]!;
    // A cancel is shown ("Missed call"), so it claims no urgency (FCM demotes silent ones).
    expect(c.wire.android.priority).toBe("normal");
    expect(c.wire.webpush.headers.Urgency).toBe("normal");
  });

  it("acked on the phone, accepted naming no device: every device gets the cancel", async () => {
    const [alice, bob] = await users("alice", "bob");
    for (const d of ["phone", "tablet"]) {
      await bob.call("registerDevice", {
        device_id: d,
        platform: "android",
        fcm_token: `${d}-${bob.uid}`,
      });
    }
    const s = await ring(alice, bob);
    await waitPushes({ call_id: s.call_id }, (g) => g.length >= 2, "2 rings");
    await bob.call("ackCall", { call_id: s.call_id, device_id: "phone" });
    await bob.call("acceptCall", { call_id: s.call_id });
    expect(await cancels(s.call_id)).toEqual([
      "phone:answered_elsewhere",
      "tablet:answered_elsewhere",
    ]);
  });

  it("a device's APNs environment is stored and travels with its VoIP ring", async () => {
    const [alice, bob] = await users("alice", "bob");
    await bob.call("registerDevice", {
      device_id: "dev-build",
      platform: "ios",
      voip_token: `voip-${bob.uid}`,
      apns_env: "sandbox",
    });
    await bob.call("registerDevice", { device_id: "dev-build", platform: "ios" }); // kept
    const dev = await adminDb().doc(`users/${bob.uid}/devices/dev-build`).get();
    expect(dev.get("apns_env")).toBe("sandbox");
    const s = await ring(alice, bob);
    const [p] = await waitPushes({ call_id: s.call_id }, (g) => g.length >= 1, "the ring");
    expect(p).toMatchObject({ channel: "voip", apns_env: "sandbox" });
    await expectCallError(
      bob.call("registerDevice", { device_id: "x", platform: "ios", apns_env: "dev" }),
      "invalid-argument",
      "invalid_argument",
    );
  });
});

describe("a push too big to send is refused, by both doors", () => {
  it("at FCM's exact limit it rings; one byte over: invalid-argument on push, nothing written", async () => {
    const [alice, bob] = await users("alice", "bob");
    await bob.call("registerDevice", {
      device_id: "phone",
      platform: "android",
      fcm_token: `p-${bob.uid}`,
    });
    const room = FCM_DATA_LIMIT - fcmDataBytes({ title: "", content: "", payload: "" }, alice.uid);
    // CJK and escaped quotes in the payload, made up with ASCII to the exact byte; the caller's
    // title and content are never sent (the server builds them), so they do not count.
    const cjk = "名".repeat(300);
    const quotes = '"'.repeat(200);
    const payload = cjk + quotes + "a".repeat(room - escapedBytes(cjk) - escapedBytes(quotes));
    const fits = { title: quotes, content: cjk, payload };
    const over = { ...fits, payload: `${payload}a` };
    const before = await footprint([alice.uid, bob.uid]);
    const err = await expectCallError(
      alice.call("startCall", { callees: [{ id: bob.uid }], type: 1, push: over }),
      "invalid-argument",
      "invalid_argument",
    );
    expect(err.details?.field).toBe("push");
    expect(err.message).toMatch(/push: .*4097 bytes.*FCM's 4096/);
    const http = await api(alice, "start_call", {
      callees: [{ id: bob.uid }],
      type: 1,
      push: over,
    });
    expect(http.status, http.text).toBe(400);
    expect(http.json.message).toMatch(/^push: /);
    expect(await footprint([alice.uid, bob.uid])).toBe(before);
    const s = await alice.call<{ call_id: string }>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
      push: fits,
    });
    const [p] = await waitPushes({ call_id: s.call_id }, (g) => g.length >= 1, "the ring");
    expect(p?.data).toMatchObject({ title: alice.name, content: "Incoming voice call", payload });
  });
});

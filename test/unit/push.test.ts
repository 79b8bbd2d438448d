/**
 * Offline push, the parts that need no emulator (docs/protocol.md#offline-push): which jobs a
 * change makes (derived in the core), the FCM v1 message each device gets, and how the FCM
 * sender sorts each error code and batches by 500 (a fake transport: firebase-admin's FCM
 * host cannot be pointed at a local server).
 */
import { describe, expect, it } from "vitest";
import { validateMessage } from "../../node_modules/firebase-admin/lib/messaging/messaging-internal.js";
import { fcmOutcome, FcmSender } from "../../functions/src/channels/push/fcmSender.js";
import {
  fcmMessage,
  messagesFor,
  pushData,
  type PushMessage,
} from "../../functions/src/channels/push/messages.js";
import { accept, ack, cancel, decline, end } from "../../functions/src/core/commands.js";
import { startCall } from "../../functions/src/core/create.js";
import type { Effect } from "../../functions/src/core/effects.js";
import { callerLoggedOut } from "../../functions/src/core/ending.js";
import type { PushJob } from "../../functions/src/core/push.js";
import { applyDue } from "../../functions/src/core/timeouts.js";
import { cfg, run, start, T0 } from "./fixtures.js";

const jobs = (effects: Effect[]) => effects.flatMap((e) => (e.kind === "push" ? e.jobs : []));
const brief = (effects: Effect[]) =>
  jobs(effects).map((j) => [j.type, j.uid, j.reason, j.except_device].filter((x) => x));

describe("push jobs, derived from the change", () => {
  it("a start rings each invitee who has a device; not a busy or a logged-out one", () => {
    const o = startCall(
      {
        type: 2,
        mode: "common",
        timeout: 30,
        extended_data: "",
        not_received_check: false,
        push: { title: "t", content: "c", payload: "p" },
      },
      {
        call_id: "c1",
        caller: { id: "alice", name: "Alice" },
        callees: ["bob", "carol", "dave"].map((id) => ({ id, name: id })),
        busy: new Set(["carol"]),
        loggedOut: new Set(["dave"]),
        request_hash: "h",
        error_invitees: [],
      },
      T0,
      cfg,
    );
    expect(jobs(o.effects)).toEqual([
      {
        type: "ring",
        call_id: "c1",
        uid: "bob",
        caller_id: "alice",
        caller_name: "Alice",
        call_type: 2,
        expires_at: T0 + 30_000,
        push: { title: "t", content: "c", payload: "p" },
      },
    ]);
  });

  it("one cancel per rung invitee when their ringing ends, with the reason", () => {
    const c = start(["bob", "carol", "dave", "erin"]);
    const a = run(c, T0 + 1000, (d) => accept(d, "bob", { device_id: "phone" }));
    expect(brief(a.effects)).toEqual([["cancel", "bob", "answered_elsewhere", "phone"]]);
    const r = run(a.call, T0 + 2000, (d) => decline(d, "carol", { type: 2 }));
    expect(brief(r.effects)).toEqual([["cancel", "carol", "busy"]]);
    const x = run(r.call, T0 + 3000, (d) => cancel(d, "alice", { callee_ids: ["dave"] }));
    expect(brief(x.effects)).toEqual([["cancel", "dave", "canceled"]]);
    const e = run(x.call, T0 + 4000, (d) => end(d, "alice"));
    expect(brief(e.effects)).toEqual([["cancel", "erin", "call_ended"]]);
    expect(brief(run(e.call, T0 + 5000, (d) => end(d, "alice")).effects)).toEqual([]); // a repeat
  });

  it("the cancel spares the device the answer named, never one that only acked", () => {
    // Before: the ack's device was recorded, an accept naming none kept it, and the cancel
    // spared the acked phone and hung up the tablet that had just answered.
    const acked = run(start(["bob"]), T0 + 500, (d) => ack(d, "bob", { device_id: "phone" }));
    const none = run(acked.call, T0 + 1000, (d) => accept(d, "bob", {}));
    expect(brief(none.effects)).toEqual([["cancel", "bob", "answered_elsewhere"]]);
    const named = run(acked.call, T0 + 1000, (d) => accept(d, "bob", { device_id: "tablet" }));
    expect(brief(named.effects)).toEqual([["cancel", "bob", "answered_elsewhere", "tablet"]]);
    const declined = run(acked.call, T0 + 1000, (d) => decline(d, "bob", { type: 1 }));
    expect(brief(declined.effects)).toEqual([["cancel", "bob", "declined"]]);
  });

  it("declined and timed out; a caller who logs out cancels", () => {
    const d1 = run(start(["bob"]), T0 + 1000, (d) =>
      decline(d, "bob", { type: 1, device_id: "web" }),
    );
    expect(brief(d1.effects)).toEqual([["cancel", "bob", "declined", "web"]]);
    const t = run(start(["bob", "carol"]), T0 + 60_000, (d) => applyDue(d));
    expect(brief(t.effects)).toEqual([
      ["cancel", "bob", "timeout"],
      ["cancel", "carol", "timeout"],
    ]);
    const out = run(start(["bob"]), T0 + 1000, (d) => void callerLoggedOut(d, "alice"));
    expect(out.call.end_reason).toBe("caller_offline");
    expect(brief(out.effects)).toEqual([["cancel", "bob", "canceled"]]);
  });

  it("no cancel for an invitee who was never rung (logged out at the invitation)", () => {
    const c = start(["bob"], { loggedOut: new Set(["bob"]) });
    expect(brief(run(c, T0 + 1000, (d) => cancel(d, "alice", {})).effects)).toEqual([]);
  });
});

const job: PushJob = {
  type: "ring",
  call_id: "call-1",
  uid: "bob",
  caller_id: "alice",
  caller_name: "Alice",
  call_type: 1,
  expires_at: T0 + 60_000,
};
const devices = [
  { device_id: "phone", platform: "android" as const, fcm_token: "f1", voip_token: null },
  { device_id: "ipad", platform: "ios" as const, fcm_token: "f2", voip_token: "v2" },
  { device_id: "bare", platform: "web" as const, fcm_token: null, voip_token: null },
];

describe("messages", () => {
  it("one per device with a token: VoIP for an iOS ring, FCM for the rest and every cancel", () => {
    const ring = messagesFor("j", job, devices, true);
    expect(ring.map((m) => [m.device_id, m.channel, m.token])).toEqual([
      ["phone", "fcm", "f1"],
      ["ipad", "voip", "v2"],
    ]);
    const noVoip = messagesFor("j", job, devices, false);
    expect(noVoip.map((m) => m.channel)).toEqual(["fcm", "fcm"]);
    const cancelJob = { ...job, type: "cancel" as const, reason: "timeout" as const };
    const c = messagesFor("j", cancelJob, devices, true, T0 + 5000);
    expect(c.map((m) => [m.device_id, m.channel])).toEqual([
      ["phone", "fcm"],
      ["ipad", "fcm"],
    ]);
    // sent_at beside expires_at: an app takes the ring time left from these two, not its clock.
    expect(c[0]?.data).toEqual({
      ...pushData(job, T0 + 5000),
      type: "cancel",
      reason: "timeout",
      sent_at: new Date(T0 + 5000).toISOString(),
    });
  });

  it("the FCM v1 message: data only, high priority, TTL in ms = ring time left, collapse key", () => {
    const [m] = messagesFor("j", job, devices, true, T0 + 15_000) as [PushMessage];
    const w = fcmMessage(m, T0 + 15_000);
    expect(w).toEqual({
      token: "f1",
      data: {
        type: "ring",
        call_id: "call-1",
        caller_id: "alice",
        caller_name: "Alice",
        call_type: "1",
        expires_at: new Date(T0 + 60_000).toISOString(),
        sent_at: new Date(T0 + 15_000).toISOString(),
      },
      android: { priority: "high", ttl: 45_000, collapseKey: "call-1" },
      apns: {
        headers: {
          "apns-push-type": "background",
          "apns-priority": "5",
          "apns-expiration": String((T0 + 60_000) / 1000),
          "apns-collapse-id": "call-1",
        },
        payload: { aps: { contentAvailable: true } },
      },
      webpush: { headers: { Urgency: "high", TTL: "45", Topic: "call-1" } },
    });
    expect(() => validateMessage(w)).not.toThrow(); // firebase-admin's own check of the shape
    // A cancel at the deadline still gets a short TTL rather than now-or-never.
    const [c] = messagesFor("j", { ...job, type: "cancel", reason: "timeout" }, devices, true);
    const cw = fcmMessage(c as PushMessage, T0 + 60_000);
    expect(cw.android?.ttl).toBe(10_000);
    // A cancel is shown as "Missed call", never claims urgency: FCM demotes silent high ones.
    expect(cw.android?.priority).toBe("normal");
    expect(cw.webpush?.headers?.Urgency).toBe("normal");
    expect(() => validateMessage(cw)).not.toThrow();
  });

  it("names in a push are cut to 64 characters, lone surrogates replaced", () => {
    const long = { ...job, caller_name: "名".repeat(70) + "\ud800" };
    expect(pushData(long).caller_name).toBe("名".repeat(64));
    expect(pushData({ ...job, caller_name: "a\ud800b" }).caller_name).toBe("a\ufffdb");
  });
});

describe("the FCM sender", () => {
  it("sorts each error code: unregistered tokens dropped, transient retried, others given up", () => {
    for (const code of [
      "messaging/registration-token-not-registered",
      "messaging/invalid-registration-token",
    ]) {
      expect(fcmOutcome(code)).toEqual({ ok: false, error: "unregistered", code });
    }
    // A permissions mistake (PERMISSION_DENIED, SENDER_ID_MISMATCH) is configuration: kept.
    for (const code of [
      "messaging/mismatched-credential",
      "messaging/third-party-auth-error",
      "app/invalid-credential",
    ]) {
      expect(fcmOutcome(code)).toMatchObject({ ok: false, error: "config", code });
    }
    for (const code of [
      "messaging/server-unavailable",
      "messaging/internal-error",
      "messaging/quota-exceeded",
      "messaging/message-rate-exceeded",
      "messaging/device-message-rate-exceeded",
    ]) {
      expect(fcmOutcome(code).ok === false && fcmOutcome(code)).toMatchObject({
        error: "transient",
      });
    }
    // Never drop a token for what may be our own bad message; only for one naming the token.
    expect(fcmOutcome("messaging/invalid-argument")).toMatchObject({ error: "permanent" });
    expect(
      fcmOutcome("messaging/invalid-argument", "Invalid value at 'message.data[0].value'"),
    ).toMatchObject({ error: "permanent" });
    expect(
      fcmOutcome(
        "messaging/invalid-argument",
        "The registration token is not a valid FCM registration token",
      ),
    ).toMatchObject({ error: "unregistered" });
  });

  it("sends in batches of 500 and answers one outcome per message, in order", async () => {
    const batches: number[] = [];
    const sender = new FcmSender(
      async (msgs) => {
        batches.push(msgs.length);
        const responses = msgs.map((m) =>
          (m as { token: string }).token.startsWith("gone")
            ? { success: false, error: { code: "messaging/registration-token-not-registered" } }
            : { success: true, messageId: "x" },
        );
        return { responses, successCount: 0, failureCount: 0 } as never;
      },
      () => T0,
    );
    const base = messagesFor("j", job, devices, false)[0] as PushMessage;
    const msgs = Array.from({ length: 1001 }, (_, i) => ({
      ...base,
      token: i % 2 ? `gone${i}` : `ok${i}`,
    }));
    const out = await sender.send(msgs);
    expect(batches).toEqual([500, 500, 1]);
    expect(out).toHaveLength(1001);
    expect(out[0]).toEqual({ ok: true });
    expect(out[1]).toMatchObject({ ok: false, error: "unregistered" });
    // A whole batch failing (network) is transient for each of its messages.
    const down = new FcmSender(async () => {
      throw Object.assign(new Error("down"), { code: "app/network-error" });
    });
    expect(await down.send([base, base])).toEqual([
      { ok: false, error: "transient", code: "app/network-error" },
      { ok: false, error: "transient", code: "app/network-error" },
    ]);
  });
});

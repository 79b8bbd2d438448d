/**
 * The push senders an instance makes from its params (docs/protocol.md#offline-push): a bad
 * APNs key (the docs' placeholder, a .p8 pasted with literal \n) turns VoIP off with one
 * ERROR naming RINGBACK_APNS_KEY, and FCM goes on: before, the key threw in every push
 * task, before FCM was tried, and Android and web rang no more.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FcmSender } from "../../functions/src/channels/push/fcmSender.js";
import { messagesFor } from "../../functions/src/channels/push/messages.js";
import {
  apnsOrigins,
  checkPushAtStart,
  inlineSenders,
  pushSenders,
  voipSender,
} from "../../functions/src/channels/push/settings.js";

const log = await vi.hoisted(async () => (await import("../support/logged.js")).makeLogger());
vi.mock("firebase-functions/logger", () => log.mock);

const PARAMS = {
  RINGBACK_APNS_BUNDLE_ID: "com.example.app",
  RINGBACK_APNS_KEY_ID: "KEY1234567",
  RINGBACK_APNS_TEAM_ID: "TEAM123456",
  RINGBACK_APNS_HOST: "api.push.apple.com",
};
const p8 = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

beforeAll(() => Object.assign(process.env, PARAMS));
afterAll(() => {
  for (const k of Object.keys(PARAMS)) delete process.env[k];
});

describe("the APNs key and the senders", () => {
  it("a key that does not parse: VoIP off, one ERROR naming the param, FCM still sends", () => {
    for (const bad of [
      "none",
      "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----",
    ]) {
      const senders = pushSenders(bad);
      expect(senders.voip).toBeNull();
      expect(senders.fcm).toBeInstanceOf(FcmSender);
    }
    const keyErrors = log.events("apns_key_bad");
    expect(keyErrors).toHaveLength(1); // once per instance, not once per task
    expect(keyErrors[0]).toMatchObject({ severity: "error", fields: { fix: expect.any(String) } });
    expect(keyErrors[0]?.message).toContain("RINGBACK_APNS_KEY");
    // With VoIP off, an iOS device with an FCM token still rings through FCM.
    const msgs = messagesFor(
      "j",
      {
        type: "ring",
        call_id: "c",
        uid: "u",
        caller_id: "a",
        caller_name: "A",
        call_type: 1,
        expires_at: Date.now() + 30_000,
      },
      [{ device_id: "ipad", platform: "ios", fcm_token: "f", voip_token: "v" }],
      pushSenders("none").voip !== null,
    );
    expect(msgs.map((m) => m.channel)).toEqual(["fcm"]);
  });

  it("at an instance's start: only the push task's checks, and nothing it meets throws", async () => {
    const before = log.logged.length;
    process.env.FUNCTION_TARGET = "deadlineTask";
    checkPushAtStart(() => "none");
    await new Promise((r) => setTimeout(r, 50));
    expect(log.logged.length).toBe(before); // not the push task: nothing
    process.env.FUNCTION_TARGET = "pushTask";
    // No admin app here: the self-check cannot run, and says so rather than throwing.
    expect(() => checkPushAtStart(() => "none")).not.toThrow();
    await vi.waitFor(() => expect(log.events("push_self_check")).toHaveLength(1), {
      timeout: 10_000,
    });
    expect(log.events("push_self_check")).toMatchObject([
      { severity: "error", fields: { ok: false, detail: expect.stringMatching(/^not run: /) } },
    ]);
    // Another of the push queues' functions (channels/push/queue.ts) checks as well.
    process.env.FUNCTION_TARGET = "pushTask3";
    checkPushAtStart(() => "none");
    await vi.waitFor(() => expect(log.events("push_self_check")).toHaveLength(2), {
      timeout: 10_000,
    });
    delete process.env.FUNCTION_TARGET;
  });

  it("a good key, or one pasted with literal \\n escapes, makes the VoIP sender", () => {
    expect(voipSender(p8)).not.toBeNull();
    expect(voipSender(p8.replace(/\n/g, "\\n"))).not.toBeNull();
  });

  it("Apple's hosts per environment; any other host (a test server) takes both", () => {
    expect(apnsOrigins("api.push.apple.com")).toEqual({
      production: "https://api.push.apple.com",
      sandbox: "https://api.sandbox.push.apple.com",
    });
    expect(apnsOrigins("127.0.0.1:8443")).toEqual({
      production: "https://127.0.0.1:8443",
      sandbox: "https://127.0.0.1:8443",
    });
  });
});

describe("the inline push's senders (channels/push/inline.ts)", () => {
  it("with VoIP configured, rings go inline only where the function holds the APNs key", () => {
    delete process.env.RINGBACK_APNS_KEY; // a function that does not bind the secret
    expect(inlineSenders().rings).toBe(false); // rings wait for the task; cancels never VoIP
    expect(inlineSenders().senders.fcm).toBeInstanceOf(FcmSender);
    process.env.RINGBACK_APNS_KEY = p8; // startCall, inviteToCall, callApi bind it
    try {
      const { senders, rings } = inlineSenders();
      expect(rings).toBe(true);
      expect(senders.voip).not.toBeNull();
    } finally {
      delete process.env.RINGBACK_APNS_KEY;
    }
  });

  it("without VoIP, every function rings inline through FCM", () => {
    const id = process.env.RINGBACK_APNS_KEY_ID;
    process.env.RINGBACK_APNS_KEY_ID = "";
    try {
      const { senders, rings } = inlineSenders();
      expect(rings).toBe(true);
      expect(senders.voip).toBeNull();
    } finally {
      process.env.RINGBACK_APNS_KEY_ID = id;
    }
  });
});

/**
 * Webhook configuration and the local delivery's retry schedule: a bad URL or a missing
 * secret is refused with what to fix (in the functions and in the local stack), and the
 * schedule the local delivery computes from a queue's retry config is Cloud Tasks'.
 */
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  parseWebhookSettings,
  previousSecrets,
  requireSecret,
} from "../../functions/src/channels/webhooks/settings.js";
import { headerSignature, zegoSignature } from "../../functions/src/channels/webhooks/signing.js";
// @ts-expect-error: a plain JS module of the local stack, without types
import { checkWebhookEnv } from "../../scripts/stack/functionsEnv.mjs";
// @ts-expect-error: a plain JS module of the local stack, without types
import { backoffMs, maxAttempts } from "../../scripts/stack/functionsManifest.mjs";

describe("webhook settings", () => {
  it("are off without a URL, on with an http(s) one", () => {
    expect(parseWebhookSettings("", "app")).toEqual({ enabled: false, url: "", appId: "app" });
    expect(parseWebhookSettings("https://example.com/hook", "app").enabled).toBe(true);
    expect(parseWebhookSettings(" http://127.0.0.1:9/x ", "").url).toBe("http://127.0.0.1:9/x");
    for (const loopback of ["http://127.9.0.1/x", "http://localhost:8000/", "http://[::1]:9/"]) {
      expect(parseWebhookSettings(loopback, "").enabled, loopback).toBe(true);
    }
  });

  it("refuse plain http anywhere but on a loopback host", () => {
    for (const bad of [
      "http://example.com/hook",
      "http://10.0.0.1/x",
      "http://127.0.0.1.evil.com/",
      "http://localhost.evil.com/",
      "http://[::2]/",
    ]) {
      expect(() => parseWebhookSettings(bad, ""), bad).toThrow(/must be https/);
      expect(checkWebhookEnv({ RINGBACK_WEBHOOK_URL: bad, RINGBACK_WEBHOOK_SECRET: "s" })).toMatch(
        /must be https/,
      );
    }
    expect(previousSecrets("none")).toEqual([]);
    expect(previousSecrets(" old ")).toEqual(["old"]);
  });

  it("refuse a URL that is not http(s), saying which param and why", () => {
    for (const bad of [
      "ftp://example.com",
      "example.com/hook",
      "https//x",
      "javascript:alert(1)",
    ]) {
      expect(() => parseWebhookSettings(bad, "")).toThrow(ConfigError);
      expect(() => parseWebhookSettings(bad, "")).toThrow(/RINGBACK_WEBHOOK_URL must be an https/);
    }
  });

  it("refuse a URL without a secret", () => {
    const on = parseWebhookSettings("https://example.com/hook", "");
    expect(() => requireSecret(on, "")).toThrow(/RINGBACK_WEBHOOK_SECRET is not set/);
    expect(requireSecret(on, "s3cret")).toBe("s3cret");
    expect(requireSecret(parseWebhookSettings("", ""), "")).toBe("");
  });

  it("are checked by the local stack before it starts", () => {
    expect(checkWebhookEnv({})).toBeNull();
    expect(checkWebhookEnv({ RINGBACK_WEBHOOK_URL: "nope" })).toMatch(/http:\/\/ or https:\/\//);
    expect(checkWebhookEnv({ RINGBACK_WEBHOOK_URL: "http://127.0.0.1/y" })).toMatch(
      /SECRET is not/,
    );
    expect(
      checkWebhookEnv({ RINGBACK_WEBHOOK_URL: "https://x/y", RINGBACK_WEBHOOK_SECRET: "s" }),
    ).toBeNull();
  });
});

describe("signatures", () => {
  it("ZEGO's: sha1 of the sorted secret, timestamp and nonce (a vector from Python)", () => {
    // sorted as strings: "1499676978" < "350176" < "secret"
    expect(zegoSignature("secret", 1499676978, "350176")).toBe(
      "264b7f500b4935a082fef1da1760769245880d7c",
    );
    expect(zegoSignature("secret", 1499676979, "350176")).not.toBe(
      "264b7f500b4935a082fef1da1760769245880d7c",
    );
  });

  it("the header's: t and an HMAC over t and the raw body", () => {
    expect(headerSignature("k", 1700000000, "{}")).toBe(
      "t=1700000000,v1=c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146",
    );
    expect(headerSignature("k", 1700000000, "{}")).not.toBe(
      headerSignature("k", 1700000000, "{ }"),
    );
  });

  it("while a secret rotates: one v1= per secret, the current one first", () => {
    const both = headerSignature(["new", "k"], 1700000000, "{}");
    expect(both).toBe(
      `t=1700000000,v1=${headerSignature("new", 1700000000, "{}").split("v1=")[1]},` +
        "v1=c6ef4734033cee2367414a0939385eca0397754aa7a59716da7463a9298b5146",
    );
  });
});

describe("the local delivery's retry schedule (Cloud Tasks semantics)", () => {
  it("seed 002's queue: 2, 4, 8, 16, 32 s, 6 attempts", () => {
    const cfg = { maxAttempts: 6, minBackoffSeconds: 2, maxBackoffSeconds: 32, maxDoublings: 4 };
    expect([1, 2, 3, 4, 5].map((r) => backoffMs(cfg, r))).toEqual([2000, 4000, 8000, 16000, 32000]);
    expect(maxAttempts(cfg)).toBe(6);
  });

  it("doubles maxDoublings times, then grows linearly, capped at maxBackoffSeconds", () => {
    const cfg = { minBackoffSeconds: 1, maxBackoffSeconds: 10, maxDoublings: 2 };
    expect([1, 2, 3, 4, 5, 6, 7].map((r) => backoffMs(cfg, r))).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000, 10000,
    ]);
    expect(maxAttempts({})).toBe(100);
  });
});

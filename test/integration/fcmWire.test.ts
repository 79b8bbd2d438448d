/**
 * The real FCM send path (docs/push.md#what-prunes-a-token): firebase-admin's own `sendEach`
 * against FCM v1's REST answers, intercepted at the HTTP layer by nock with FCM's real
 * error bodies (test/support/fcmFake.ts), through deliverPush on the Firestore emulator. For
 * each answer: what is pruned, what is tried again, what the operator is told. Before the
 * fix a 403 PERMISSION_DENIED (a role or the API missing) wiped every token it touched.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { deliverPush } from "../../functions/src/channels/push/delivery.js";
import { adminDb } from "../support/admin.js";
import { answerBy, ringJob as ring, useFakeFcm } from "../support/fcmFake.js";

const log = await vi.hoisted(async () => (await import("../support/logged.js")).makeLogger());
vi.mock("firebase-functions/logger", () => log.mock);

const fcm = useFakeFcm("fcm-wire");
beforeEach(() => void (log.logged.length = 0));

describe("firebase-admin sendEach against FCM's real answers", () => {
  it("success: sent, nothing pruned", async () => {
    fcm.answerFor = () => "ok";
    const r = await ring(["ok-1", "ok-2"]);
    expect(await deliverPush(adminDb(), r.jobId, fcm.senders)).toBe("sent");
    expect(fcm.seen.map((s) => s.token).sort()).toEqual(["ok-1", "ok-2"]);
    expect(await r.tokensLeft()).toEqual(["ok-1", "ok-2"]);
    expect(log.events("push_pruned")).toEqual([]);
  });

  it("UNREGISTERED for one token: that token is pruned, and logged", async () => {
    fcm.answerFor = answerBy({ gone: "unregistered" });
    const r = await ring(["gone-1", "ok-1"]);
    expect(await deliverPush(adminDb(), r.jobId, fcm.senders)).toBe("sent");
    expect(await r.tokensLeft()).toEqual([null, "ok-1"]);
    expect(log.events("push_pruned")).toMatchObject([
      {
        fields: {
          device_id: "d0",
          channel: "fcm",
          code: "messaging/registration-token-not-registered",
        },
      },
    ]);
  });

  it("UNREGISTERED for every token of a batch: the circuit breaker prunes none", async () => {
    fcm.answerFor = answerBy({ gone: "unregistered" });
    const r = await ring(["gone-1", "gone-2", "gone-3"]);
    expect(await deliverPush(adminDb(), r.jobId, fcm.senders)).toBe("sent");
    expect(await r.tokensLeft()).toEqual(["gone-1", "gone-2", "gone-3"]);
    expect(log.events("push_pruned")).toEqual([]);
    expect(log.events("push_prune_withheld")).toMatchObject([
      { severity: "error", fields: { count: 3 } },
    ]);
  });

  for (const [name, answer] of [
    ["PERMISSION_DENIED (role or API missing)", "permissionDenied"],
    ["SENDER_ID_MISMATCH", "senderIdMismatch"],
  ] as const) {
    it(`403 ${name}: a configuration error: nothing pruned, no retry, one ERROR with the fix`, async () => {
      fcm.answerFor = () => answer;
      const r = await ring([`${answer}-1`, `${answer}-2`]);
      const again = await ring([`${answer}-3`]);
      expect(await deliverPush(adminDb(), r.jobId, fcm.senders)).toBe("sent");
      expect(await deliverPush(adminDb(), again.jobId, fcm.senders)).toBe("sent");
      expect(await r.tokensLeft()).toEqual([`${answer}-1`, `${answer}-2`]);
      expect(await again.tokensLeft()).toEqual([`${answer}-3`]);
      const devices = Object.values((await r.jobDoc()).devices ?? {});
      expect(devices.map((d) => [d.state, d.code])).toEqual([
        ["failed", "messaging/mismatched-credential"],
        ["failed", "messaging/mismatched-credential"],
      ]);
      // Once per instance and code, however many rings: both answers map to one code, so
      // the second case finds it told already.
      const errors = log.events("push_config_error");
      expect(errors).toHaveLength(answer === "permissionDenied" ? 1 : 0);
      if (answer === "permissionDenied") {
        expect(errors[0]).toMatchObject({ severity: "error" });
        expect(String(errors[0]?.fields.fix)).toContain("roles/firebasecloudmessaging.admin");
      }
      expect(log.events("push_failed")).toHaveLength(3);
      expect(log.events("push_pruned")).toEqual([]);
    });
  }

  for (const [name, answer] of [
    ["429 QUOTA_EXCEEDED", "quotaExceeded"],
    ["503 UNAVAILABLE", "unavailable"],
  ] as const) {
    it(`${name}: tried again later; nothing pruned`, async () => {
      fcm.answerFor = answerBy({ [answer]: answer });
      const r = await ring([`${answer}-1`, "ok-1"]);
      expect(await deliverPush(adminDb(), r.jobId, fcm.senders)).toBe("retry");
      expect(await r.tokensLeft()).toEqual(["ok-1", `${answer}-1`].sort());
      const job = await r.jobDoc();
      expect(job.status).toBe("retry");
      expect(job.devices?.d0?.state).toBe("pending");
      expect(job.devices?.d1?.state).toBe("sent");
      // The next attempt goes to the one that failed only.
      fcm.answerFor = () => "ok";
      fcm.seen.length = 0;
      expect(await deliverPush(adminDb(), r.jobId, fcm.senders)).toBe("sent");
      expect(fcm.seen.map((s) => s.token)).toEqual([`${answer}-1`]);
      expect(log.events("push_pruned")).toEqual([]);
    });
  }

  it("400 INVALID_ARGUMENT naming the token prunes it; about our message, it does not", async () => {
    fcm.answerFor = answerBy({ badtoken: "badToken", badmsg: "badMessage" });
    const r = await ring(["badtoken-1", "badmsg-1", "ok-1"]);
    expect(await deliverPush(adminDb(), r.jobId, fcm.senders)).toBe("sent");
    expect(await r.tokensLeft()).toEqual([null, "badmsg-1", "ok-1"].sort());
    expect(log.events("push_pruned").map((e) => e.fields.device_id)).toEqual(["d0"]);
    expect(log.events("push_failed").map((e) => e.fields.device_id)).toEqual(["d1"]);
  });
});

/**
 * The real FCM send path (docs/push.md#what-prunes-a-token): firebase-admin's own `sendEach`
 * against FCM v1's REST answers, intercepted at the HTTP layer by nock with FCM's real
 * error bodies, through deliverPush on the Firestore emulator. For each answer: what is
 * pruned, what is tried again, what the operator is told. Before the fix a 403
 * PERMISSION_DENIED (a role or the API missing) wiped every token it touched.
 */
import { spawn } from "node:child_process";
import { initializeApp, type App } from "firebase-admin/app";
import { getMessaging, type Message } from "firebase-admin/messaging";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { FcmSender } from "../../functions/src/adapters/fcmSender.js";
import { pushSelfCheck } from "../../functions/src/adapters/pushCheck.js";
import { deliverPush, type Senders } from "../../functions/src/adapters/pushDelivery.js";
import { PUSH_JOBS, pushJobDoc, type PushJobDoc } from "../../functions/src/adapters/pushOutbox.js";
import type { PushJob } from "../../functions/src/core/push.js";
import { adminDb } from "../support/admin.js";
import { env } from "../support/env.js";

const log = await vi.hoisted(async () => (await import("../support/logged.js")).makeLogger());
vi.mock("firebase-functions/logger", () => log.mock);

const PROJECT = "demo-fcm-wire";
const FCM = "https://fcm.googleapis.com";
const SEND = `/v1/projects/${PROJECT}/messages:send`;

const fcmError = (code: number, status: string, message: string, errorCode?: string) => ({
  error: {
    code,
    message,
    status,
    ...(errorCode
      ? {
          details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode }],
        }
      : {}),
  },
});

/** FCM v1's answers, as it sends them. */
const ANSWERS = {
  unregistered: [
    404,
    fcmError(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"),
  ],
  permissionDenied: [
    403,
    {
      error: {
        code: 403,
        message:
          "Permission 'cloudmessaging.messages.create' denied on resource " +
          `'//cloudresourcemanager.googleapis.com/projects/${PROJECT}' (or it may not exist).`,
        status: "PERMISSION_DENIED",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "IAM_PERMISSION_DENIED",
            domain: "cloudresourcemanager.googleapis.com",
            metadata: { permission: "cloudmessaging.messages.create" },
          },
        ],
      },
    },
  ],
  senderIdMismatch: [
    403,
    fcmError(403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH"),
  ],
  quotaExceeded: [
    429,
    fcmError(
      429,
      "RESOURCE_EXHAUSTED",
      "Quota exceeded for quota metric 'Messages' of service 'fcm.googleapis.com'.",
      "QUOTA_EXCEEDED",
    ),
  ],
  unavailable: [503, fcmError(503, "UNAVAILABLE", "The service is currently unavailable.")],
  badToken: [
    400,
    fcmError(
      400,
      "INVALID_ARGUMENT",
      "The registration token is not a valid FCM registration token",
      "INVALID_ARGUMENT",
    ),
  ],
  badMessage: [
    400,
    fcmError(
      400,
      "INVALID_ARGUMENT",
      "Invalid value at 'message.data[0].value' (TYPE_STRING), \"\\ud800\"",
      "INVALID_ARGUMENT",
    ),
  ],
} as const;
type Answer = keyof typeof ANSWERS | "ok";

let app: App;
let senders: Senders;
/** What FCM answers each token (by its prefix up to "-"); the requests it saw. */
let answerFor: (token: string) => Answer = () => "ok";
let seen: { token: string; validate_only: boolean }[] = [];

beforeAll(() => {
  // A credential that never touches the network; FCM itself is nock.
  app = initializeApp(
    {
      projectId: PROJECT,
      credential: { getAccessToken: async () => ({ access_token: "t", expires_in: 3600 }) },
    },
    "fcm-wire",
  );
  const messaging = getMessaging(app);
  messaging.enableLegacyHttpTransport(); // HTTP/1.1, which nock answers (sendEach uses HTTP/2)
  senders = { fcm: new FcmSender((m) => messaging.sendEach(m)), voip: null };
  nock.disableNetConnect();
  nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
});
beforeEach(() => {
  seen = [];
  log.logged.length = 0;
  nock(FCM)
    .persist()
    .post(SEND)
    .reply((_uri: string, body: nock.Body) => {
      const msg = (body as { message: { token: string }; validate_only?: boolean }).message;
      seen.push({
        token: msg.token,
        validate_only: !!(body as { validate_only?: boolean }).validate_only,
      });
      const a = answerFor(msg.token);
      if (a === "ok") return [200, { name: `projects/${PROJECT}/messages/${seen.length}` }];
      return ANSWERS[a] as unknown as [number, object];
    });
});
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

let n = 0;

/** A user with Android devices holding `tokens`, and a ring job for them. */
async function ring(tokens: string[]) {
  const uid = `fw-${n++}-${Date.now()}`;
  const db = adminDb();
  for (const [i, t] of tokens.entries()) {
    await db.doc(`users/${uid}/devices/d${i}`).set({
      device_id: `d${i}`,
      platform: "android",
      fcm_token: t,
      voip_token: null,
    });
  }
  const job: PushJob = {
    type: "ring",
    call_id: `fw-call-${n++}-${Date.now()}`,
    uid,
    caller_id: "alice",
    caller_name: "Alice",
    call_type: 1,
    expires_at: Date.now() + 60_000,
  };
  const doc = pushJobDoc(Date.now(), job);
  await db.collection(PUSH_JOBS).doc(doc.job_id).set(doc);
  const tokensLeft = async () =>
    (await db.collection(`users/${uid}/devices`).get()).docs
      .map((s) => s.get("fcm_token") as string | null)
      .sort();
  const jobDoc = async () =>
    (await db.collection(PUSH_JOBS).doc(doc.job_id).get()).data() as PushJobDoc;
  return { uid, jobId: doc.job_id, tokensLeft, jobDoc };
}

const answerBy = (map: Record<string, Answer>) => (token: string) =>
  map[token.split("-")[0] as string] ?? "ok";

describe("firebase-admin sendEach against FCM's real answers", () => {
  it("success: sent, nothing pruned", async () => {
    answerFor = () => "ok";
    const r = await ring(["ok-1", "ok-2"]);
    expect(await deliverPush(adminDb(), r.jobId, senders)).toBe("sent");
    expect(seen.map((s) => s.token).sort()).toEqual(["ok-1", "ok-2"]);
    expect(await r.tokensLeft()).toEqual(["ok-1", "ok-2"]);
    expect(log.events("push_pruned")).toEqual([]);
  });

  it("UNREGISTERED for one token: that token is pruned, and logged", async () => {
    answerFor = answerBy({ gone: "unregistered" });
    const r = await ring(["gone-1", "ok-1"]);
    expect(await deliverPush(adminDb(), r.jobId, senders)).toBe("sent");
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
    answerFor = answerBy({ gone: "unregistered" });
    const r = await ring(["gone-1", "gone-2", "gone-3"]);
    expect(await deliverPush(adminDb(), r.jobId, senders)).toBe("sent");
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
      answerFor = () => answer;
      const r = await ring([`${answer}-1`, `${answer}-2`]);
      const again = await ring([`${answer}-3`]);
      expect(await deliverPush(adminDb(), r.jobId, senders)).toBe("sent");
      expect(await deliverPush(adminDb(), again.jobId, senders)).toBe("sent");
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
      answerFor = answerBy({ [answer]: answer });
      const r = await ring([`${answer}-1`, "ok-1"]);
      expect(await deliverPush(adminDb(), r.jobId, senders)).toBe("retry");
      expect(await r.tokensLeft()).toEqual(["ok-1", `${answer}-1`].sort());
      const job = await r.jobDoc();
      expect(job.status).toBe("retry");
      expect(job.devices?.d0?.state).toBe("pending");
      expect(job.devices?.d1?.state).toBe("sent");
      // The next attempt goes to the one that failed only.
      answerFor = () => "ok";
      seen = [];
      expect(await deliverPush(adminDb(), r.jobId, senders)).toBe("sent");
      expect(seen.map((s) => s.token)).toEqual([`${answer}-1`]);
      expect(log.events("push_pruned")).toEqual([]);
    });
  }

  it("400 INVALID_ARGUMENT naming the token prunes it; about our message, it does not", async () => {
    answerFor = answerBy({ badtoken: "badToken", badmsg: "badMessage" });
    const r = await ring(["badtoken-1", "badmsg-1", "ok-1"]);
    expect(await deliverPush(adminDb(), r.jobId, senders)).toBe("sent");
    expect(await r.tokensLeft()).toEqual([null, "badmsg-1", "ok-1"].sort());
    expect(log.events("push_pruned").map((e) => e.fields.device_id)).toEqual(["d0"]);
    expect(log.events("push_failed").map((e) => e.fields.device_id)).toEqual(["d1"]);
  });
});

describe("the self-check: a dry run to a registered token", () => {
  const dryRun = (m: Message[]) => getMessaging(app).sendEach(m, true);

  it("sends validate_only to a user's token; says what is wrong and how to fix it", async () => {
    const r = await ring(["ok-check"]);
    answerFor = () => "ok";
    const ok = await pushSelfCheck(adminDb(), dryRun, { uid: r.uid });
    expect(ok).toMatchObject({ ok: true, device: { uid: r.uid, device_id: "d0" } });
    expect(seen).toEqual([{ token: "ok-check", validate_only: true }]);
    answerFor = () => "permissionDenied";
    const bad = await pushSelfCheck(adminDb(), dryRun, { uid: r.uid });
    expect(bad).toMatchObject({ ok: false, code: "messaging/mismatched-credential" });
    expect(bad.fix).toContain("fcm.googleapis.com");
    // A stale token means FCM answered about the token: the setup is fine; nothing pruned.
    answerFor = () => "unregistered";
    expect(await pushSelfCheck(adminDb(), dryRun, { uid: r.uid })).toMatchObject({ ok: true });
    expect(await r.tokensLeft()).toEqual(["ok-check"]);
    // Without a uid it finds a token through the token registry, or says there is none.
    const none = await pushSelfCheck(adminDb(), dryRun, { uid: `nobody-${Date.now()}` });
    expect(none).toMatchObject({ ok: true, skipped: true });
  });
});

describe("npm run push -- check, on the emulator's Firestore", () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn("npx", ["tsx", "scripts/push.ts", "check", ...args], {
        env: { ...process.env, GCLOUD_PROJECT: env.projectId },
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (out += c.toString()));
      child.on("close", (code) => resolve({ code, out }));
    });

  it("no token: ok, nothing to check (exit 0); a token and no reachable FCM: FAILED with the fix (exit 1)", async () => {
    const none = await run(["--uid", `nobody-${Date.now()}`]);
    expect(none.out).toContain("ok: no device has an FCM token yet");
    expect(none.code).toBe(0);
    const r = await ring(["ok-script"]);
    // The script speaks to the real FCM, which a test cannot: it must fail loudly, with a fix.
    const failed = await run(["--uid", r.uid]);
    expect(failed.out).toMatch(/FAILED: .*\n.*token of .*\/ d0\n {2}fix: /);
    expect(failed.code).toBe(1);
    expect(await r.tokensLeft()).toEqual(["ok-script"]);
  });
});

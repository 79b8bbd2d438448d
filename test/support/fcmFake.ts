/**
 * FCM for the tests, at the HTTP layer: nock answers firebase-admin's own `sendEach` (switched
 * to its HTTP/1.1 transport, which nock intercepts) with FCM v1's real REST answers, per token;
 * the app's credential never touches the network. `useFakeFcm()` installs it around a test
 * file and gives the senders, what FCM saw, and a way to pick each token's answer.
 */
import { initializeApp, type App } from "firebase-admin/app";
import { getMessaging, type Message } from "firebase-admin/messaging";
import nock from "nock";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { FcmSender } from "../../functions/src/channels/push/fcmSender.js";
import type { Senders } from "../../functions/src/channels/push/delivery.js";
import {
  PUSH_JOBS,
  pushJobDoc,
  type PushJobDoc,
} from "../../functions/src/channels/push/outbox.js";
import type { PushJob } from "../../functions/src/core/push.js";
import { adminDb } from "./admin.js";

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
export const ANSWERS = {
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
export type Answer = keyof typeof ANSWERS | "ok";

export interface FakeFcm {
  app: App;
  senders: Senders;
  /** sendEach with validate_only, as the self-check sends. */
  dryRun: (m: Message[]) => ReturnType<ReturnType<typeof getMessaging>["sendEach"]>;
  /** The requests FCM got since the test began. */
  seen: { token: string; validate_only: boolean }[];
  /** What FCM answers each token. */
  answerFor: (token: string) => Answer;
}

/** Installs the fake FCM for the calling test file (its own admin app, `name`). */
export function useFakeFcm(name: string): FakeFcm {
  const f = { seen: [], answerFor: () => "ok" } as unknown as FakeFcm;
  beforeAll(() => {
    // A credential that never touches the network; FCM itself is nock.
    f.app = initializeApp(
      {
        projectId: PROJECT,
        credential: { getAccessToken: async () => ({ access_token: "t", expires_in: 3600 }) },
      },
      name,
    );
    const messaging = getMessaging(f.app);
    messaging.enableLegacyHttpTransport(); // HTTP/1.1, which nock answers (sendEach: HTTP/2)
    f.senders = { fcm: new FcmSender((m) => messaging.sendEach(m)), voip: null };
    f.dryRun = (m) => messaging.sendEach(m, true);
    nock.disableNetConnect();
    nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
  });
  beforeEach(() => {
    f.seen.length = 0;
    f.answerFor = () => "ok";
    nock(FCM)
      .persist()
      .post(SEND)
      .reply((_uri: string, body: nock.Body) => {
        const b = body as { message: { token: string }; validate_only?: boolean };
        f.seen.push({ token: b.message.token, validate_only: !!b.validate_only });
        const a = f.answerFor(b.message.token);
        if (a === "ok") return [200, { name: `projects/${PROJECT}/messages/${f.seen.length}` }];
        return ANSWERS[a] as unknown as [number, object];
      });
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });
  return f;
}

let n = 0;

/** A user with Android devices holding `tokens`, and a ring job for them. */
export async function ringJob(tokens: string[]) {
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

/** Answers by the token's prefix (up to "-"); "ok" for any other. */
export const answerBy = (map: Record<string, Answer>) => (token: string) =>
  map[token.split("-")[0] as string] ?? "ok";

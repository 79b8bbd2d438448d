/**
 * The FCM sender: firebase-admin's `sendEach`, at most 500 messages a call (FCM's limit), each
 * answer sorted by its error code. A token is dropped only on an answer about that token
 * (UNREGISTERED, or INVALID_ARGUMENT naming the registration token); an answer about our own
 * setup is a configuration error and drops nothing: firebase-admin maps FCM's 403
 * PERMISSION_DENIED (API disabled, role missing) and SENDER_ID_MISMATCH both to
 * `mismatched-credential`, so a permissions mistake must never read as a dead token.
 */
import type { BatchResponse, Message } from "firebase-admin/messaging";
import { fcmMessage, type PushMessage, type PushSender, type SendOutcome } from "./messages.js";

export const FCM_BATCH = 500;

/** What sends one batch: `getMessaging().sendEach` in production, a fake in tests. */
export type FcmTransport = (messages: Message[]) => Promise<BatchResponse>;

const UNREGISTERED = new Set([
  "messaging/registration-token-not-registered",
  "messaging/invalid-registration-token",
]);

/** Our setup, not the token: the fix each needs, for the operator's log. */
export const FCM_CONFIG_FIXES: Record<string, string> = {
  "messaging/mismatched-credential":
    "FCM answered PERMISSION_DENIED or SENDER_ID_MISMATCH: enable the FCM API (fcm.googleapis.com) " +
    "and grant the functions' service account roles/firebasecloudmessaging.admin " +
    "(cloudmessaging.messages.create); if both are set, the app's tokens belong to another " +
    "Firebase project (check its google-services.json / GoogleService-Info.plist)",
  "messaging/third-party-auth-error":
    "FCM could not reach APNs or Web Push with our credentials: upload the APNs auth key " +
    "(.p8) in the Firebase console (Project settings > Cloud Messaging), or fix the web VAPID key",
  "messaging/authentication-error":
    "FCM refused the functions' credentials: check the service account and the FCM API",
  "messaging/invalid-apns-credentials":
    "upload a valid APNs auth key in the Firebase console (Project settings > Cloud Messaging)",
  "messaging/invalid-package-name":
    "the Android package name does not match the app registered in Firebase",
  "app/invalid-credential":
    "the functions' service account credential is invalid or cannot mint an access token",
};

const TRANSIENT = new Set([
  "messaging/server-unavailable",
  "messaging/internal-error",
  "messaging/unknown-error",
  "messaging/message-rate-exceeded",
  "messaging/device-message-rate-exceeded",
  "messaging/quota-exceeded",
  "app/network-error",
  "app/network-timeout",
  // firebase-admin prefixes an app error met while messaging (a token fetch, a socket)
  "messaging/app/network-error",
  "messaging/app/network-timeout",
]);

/** INVALID_ARGUMENT about the token itself, as FCM words it (not about our message). */
const NAMES_TOKEN = /registration token/i;

/** The outcome of an FCM error (its code and message). */
export function fcmOutcome(code: string | undefined, message = ""): SendOutcome {
  const c = code ?? "unknown";
  if (UNREGISTERED.has(c)) return { ok: false, error: "unregistered", code: c };
  if (c === "messaging/invalid-argument" && NAMES_TOKEN.test(message)) {
    return { ok: false, error: "unregistered", code: `${c}: ${message}` };
  }
  const fix = FCM_CONFIG_FIXES[c];
  if (fix) return { ok: false, error: "config", code: c, fix };
  if (TRANSIENT.has(c)) return { ok: false, error: "transient", code: c };
  return { ok: false, error: "permanent", code: message ? `${c}: ${message}` : c };
}

export class FcmSender implements PushSender {
  readonly name = "fcm";
  constructor(
    private readonly transport: FcmTransport,
    private readonly now: () => number = Date.now,
  ) {}

  async send(messages: readonly PushMessage[]): Promise<SendOutcome[]> {
    const out: SendOutcome[] = [];
    for (let i = 0; i < messages.length; i += FCM_BATCH) {
      const chunk = messages.slice(i, i + FCM_BATCH);
      const wire = chunk.map((m) => fcmMessage(m, this.now()));
      try {
        const res = await this.transport(wire);
        for (const r of res.responses) {
          out.push(r.success ? { ok: true } : fcmOutcome(r.error?.code, r.error?.message));
        }
      } catch (e) {
        // The whole batch failed: a credential problem is configuration, else (network)
        // each message is tried again later.
        const code = (e as { code?: string }).code ?? String(e);
        const fix = FCM_CONFIG_FIXES[code];
        const o: SendOutcome = fix
          ? { ok: false, error: "config", code, fix }
          : { ok: false, error: "transient", code };
        for (let k = 0; k < chunk.length; k++) out.push(o);
      }
    }
    return out;
  }
}

/**
 * The FCM sender: firebase-admin's `sendEach`, at most 500 messages a call (FCM's limit), each
 * answer sorted by its error code: a token FCM no longer knows is dropped, a server that is
 * busy or down is tried again later, anything else is given up (never a token dropped for
 * what might be our own bad message: `invalid-argument` keeps it).
 */
import type { BatchResponse, Message } from "firebase-admin/messaging";
import { fcmMessage, type PushMessage, type PushSender, type SendOutcome } from "./pushMessages.js";

export const FCM_BATCH = 500;

/** What sends one batch: `getMessaging().sendEach` in production, a fake in tests. */
export type FcmTransport = (messages: Message[]) => Promise<BatchResponse>;

const UNREGISTERED = new Set([
  "messaging/registration-token-not-registered",
  "messaging/invalid-registration-token",
  "messaging/mismatched-credential", // a token of another Firebase project
]);

const TRANSIENT = new Set([
  "messaging/server-unavailable",
  "messaging/internal-error",
  "messaging/unknown-error",
  "messaging/message-rate-exceeded",
  "messaging/device-message-rate-exceeded",
  "messaging/quota-exceeded",
  "app/network-error",
  "app/network-timeout",
]);

/** The outcome of an FCM error code. */
export function fcmOutcome(code: string | undefined): SendOutcome {
  const c = code ?? "unknown";
  if (UNREGISTERED.has(c)) return { ok: false, error: "unregistered", code: c };
  if (TRANSIENT.has(c)) return { ok: false, error: "transient", code: c };
  return { ok: false, error: "permanent", code: c };
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
          out.push(r.success ? { ok: true } : fcmOutcome(r.error?.code));
        }
      } catch (e) {
        // The whole batch failed (network, auth): each message is tried again later.
        const code = (e as { code?: string }).code ?? String(e);
        for (let k = 0; k < chunk.length; k++) out.push({ ok: false, error: "transient", code });
      }
    }
    return out;
  }
}

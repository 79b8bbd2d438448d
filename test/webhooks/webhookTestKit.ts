/** What the webhook tests share: a receiver's checks, done as a receiver would do them. */
import { createHash, createHmac } from "node:crypto";
import { expect } from "vitest";
import { adminDb } from "../support/admin.js";
import type { TestUser } from "../support/clients.js";
import { webhookEnv, type Delivery } from "../support/receiver.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";

/** Registers a device, so that the user counts as logged in (call_create names them). */
export const logIn = (u: TestUser) =>
  u.call("registerDevice", { device_id: `dev-${u.uid.slice(0, 8)}`, platform: "android" });

/** Both signatures, checked from the raw request alone, with the shared secret. */
export function expectSigned(d: Delivery): void {
  const secret = webhookEnv.secret;
  const { timestamp, nonce, signature } = d.body as {
    timestamp: number;
    nonce: string;
    signature: string;
  };
  const zego = createHash("sha1")
    .update([secret, String(timestamp), nonce].sort().join(""))
    .digest("hex");
  expect(signature).toBe(zego);
  const header = String(d.headers["ringback-signature"]);
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  expect(m, `Ringback-Signature: ${header}`).not.toBeNull();
  const [, t, v1] = m as RegExpExecArray;
  expect(createHmac("sha256", secret).update(`${t}.${d.raw}`).digest("hex")).toBe(v1);
  expect(Math.abs(Number(t) - d.at / 1000)).toBeLessThan(30); // fresh: not a replay
}

/** The event's own fields: the body without the envelope. */
export function fieldsOf(d: Delivery): Record<string, unknown> {
  const { appid, event, nonce, signature, timestamp, call_id, ...own } = d.body;
  void [appid, event, nonce, signature, timestamp, call_id];
  return own;
}

export const eventsOf = (ds: Delivery[]) => ds.map((d) => d.body.event);

/** The outbox entries of a call, oldest first. */
export async function outboxOf(callId: string) {
  const snap = await adminDb()
    .collection(PRIVATE_COLLECTIONS.webhookEvents)
    .where("call_id", "==", callId)
    .get();
  return snap.docs.map((s) => s.data()).sort((a, b) => a.seq - b.seq);
}

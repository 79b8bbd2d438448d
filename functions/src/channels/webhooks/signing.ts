/**
 * The two signatures every callback carries (docs/protocol.md#server-to-server-callbacks):
 * ZEGO's `signature` field (sha1 over the sorted secret, timestamp and nonce) and the
 * `Ringback-Signature` header (HMAC-SHA256 over "<t>.<raw body>", as Stripe signs webhooks).
 */
import { createHash, createHmac } from "node:crypto";

/** ZEGO's scheme: hex sha1 of secret, String(timestamp) and nonce, sorted as strings. */
export function zegoSignature(secret: string, timestamp: number, nonce: string): string {
  const parts = [secret, String(timestamp), nonce].sort();
  return createHash("sha1").update(parts.join("")).digest("hex");
}

/**
 * The `Ringback-Signature` header value for a body sent at Unix second `t`: one `v1=` per
 * secret, the current one first, so a receiver still on the previous secret verifies while
 * a secret rotates (RINGBACK_WEBHOOK_SECRET_PREVIOUS).
 */
export function headerSignature(
  secrets: string | readonly string[],
  t: number,
  rawBody: string,
): string {
  const all = typeof secrets === "string" ? [secrets] : secrets;
  const v1s = all.map(
    (secret) => `v1=${createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex")}`,
  );
  return [`t=${t}`, ...v1s].join(",");
}

/**
 * The two signatures every callback carries (docs/protocol.md#server-to-server-callbacks):
 * ZEGO's `signature` field (sha1 over the sorted secret, timestamp and nonce) and the
 * `Ringback-Signature` header (HMAC-SHA256 over "<t>.<raw body>", as Stripe signs webhooks).
 */
import { createHash, createHmac, randomBytes } from "node:crypto";

/** ZEGO's scheme: hex sha1 of secret, String(timestamp) and nonce, sorted as strings. */
export function zegoSignature(secret: string, timestamp: number, nonce: string): string {
  const parts = [secret, String(timestamp), nonce].sort();
  return createHash("sha1").update(parts.join("")).digest("hex");
}

/** The `Ringback-Signature` header value for a body sent at Unix second `t`. */
export function headerSignature(secret: string, t: number, rawBody: string): string {
  const v1 = createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** A decimal nonce, as ZEGO's examples send it. */
export const newNonce = (): string => String(randomBytes(6).readUIntBE(0, 6));

/**
 * A token bucket per user for startCall (abuse limit): `burst` starts at once, refilled at
 * `perMinute`. Pure: the adapter reads and writes the bucket in the start's transaction.
 */
export interface Bucket {
  tokens: number;
  updated_at: number;
}

export interface RateLimit {
  perMinute: number;
  burst: number;
}

export type Take = { ok: true; bucket: Bucket } | { ok: false; retryAfterMs: number };

export function take(bucket: Bucket | undefined, now: number, limit: RateLimit): Take {
  const rate = limit.perMinute / 60_000; // tokens per ms
  const last = bucket ?? { tokens: limit.burst, updated_at: now };
  const elapsed = Math.max(0, now - last.updated_at);
  const tokens = Math.min(limit.burst, last.tokens + elapsed * rate);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, updated_at: now } };
  return { ok: false, retryAfterMs: rate > 0 ? Math.ceil((1 - tokens) / rate) : Infinity };
}

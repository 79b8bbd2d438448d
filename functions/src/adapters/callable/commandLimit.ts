/**
 * The general bucket every command takes a token from (docs/protocol.md#limits-and-defaults):
 * one per uid, full at RINGBACK_COMMAND_BURST, refilled at RINGBACK_COMMAND_RATE_PER_MINUTE,
 * sized far above what a well-behaved SDK sends (a heartbeat every 20 s, an ack per ring,
 * listCalls pages, a registerDevice per login). It is kept in the instance's memory, not in
 * Firestore: a stored bucket would add a read and a write to every command (a heartbeat's
 * cost would double) and a round trip to the commands that run no transaction, while what it
 * guards is cheap. The price: a user spread over N instances gets N buckets, bounded by
 * RINGBACK_MAX_INSTANCES. startCall's own bucket (stored, exact) and the ring limits stay.
 */
import { DomainError } from "../../core/errors.js";
import { take, type Bucket, type RateLimit } from "../../core/rateLimit.js";

/** Buckets by uid; one that has refilled completely is as good as none, so it is dropped. */
const buckets = new Map<string, Bucket>();
/** Past this many uids, the full buckets are swept out (an instance's memory stays bounded). */
const SWEEP_AT = 10_000;

/** Takes one token of `uid`'s bucket, or throws `resource_exhausted` `rate_limited`. */
export function chargeCommand(uid: string, now: number, limit: RateLimit): void {
  const taken = take(buckets.get(uid), now, limit);
  if (!taken.ok) {
    throw new DomainError(
      "resource_exhausted",
      "rate_limited",
      "Too many requests; try again later.",
      {
        retry_after_ms: taken.retryAfterMs,
      },
    );
  }
  buckets.set(uid, taken.bucket);
  if (buckets.size > SWEEP_AT) {
    const fullAfterMs = (limit.burst * 60_000) / limit.perMinute;
    for (const [u, b] of buckets) if (now - b.updated_at >= fullAfterMs) buckets.delete(u);
  }
}

/** Forgets every bucket (unit tests). */
export function resetCommandBuckets(): void {
  buckets.clear();
}

import { describe, expect, it } from "vitest";
import { take, type Bucket } from "../../functions/src/core/rateLimit.js";

const limit = { perMinute: 30, burst: 10 };
const T0 = 1_000_000;

describe("startCall rate limit (token bucket)", () => {
  it("allows a burst, then refuses with the wait until the next token", () => {
    let b: Bucket | undefined;
    for (let i = 0; i < 10; i++) {
      const r = take(b, T0, limit);
      expect(r.ok).toBe(true);
      if (r.ok) b = r.bucket;
    }
    const refused = take(b, T0, limit);
    expect(refused).toEqual({ ok: false, retryAfterMs: 2000 }); // 30 a minute: one per 2 s
    const later = take(b, T0 + 2000, limit);
    expect(later.ok).toBe(true);
  });

  it("refills up to the burst and no further", () => {
    const r = take({ tokens: 0, updated_at: T0 }, T0 + 3_600_000, limit);
    expect(r).toEqual({ ok: true, bucket: { tokens: 9, updated_at: T0 + 3_600_000 } });
  });

  it("a clock that goes back never adds tokens", () => {
    const r = take({ tokens: 0.5, updated_at: T0 }, T0 - 10_000, limit);
    expect(r.ok).toBe(false);
  });
});

describe("App Check, switchable by RINGBACK_ENFORCE_APP_CHECK", () => {
  it("passes everything when off, only verified apps when on", async () => {
    const { appCheckPasses } = await import("../../functions/src/adapters/callable/validated.js");
    const app = { appId: "1:2:web:3", token: {} } as never;
    expect(appCheckPasses(false, undefined)).toBe(true);
    expect(appCheckPasses(true, undefined)).toBe(false);
    expect(appCheckPasses(true, app)).toBe(true);
  });
});

describe("the general command bucket (every callable, callable/validated.ts)", () => {
  it("refuses a user past the burst with retry_after_ms, before validation, and no one else", async () => {
    const { validated } = await import("../../functions/src/adapters/callable/validated.js");
    const { resetCommandBuckets } =
      await import("../../functions/src/adapters/callable/commandLimit.js");
    const { z } = await import("zod");
    resetCommandBuckets();
    let ran = 0;
    const handler = validated(z.strictObject({ n: z.number() }), () => Promise.resolve(++ran));
    const as = (uid: string, data: unknown) =>
      handler({ auth: { uid, token: {} }, data } as never) as Promise<unknown>;
    // The defaults (300 a minute, 200 at once): a burst far above what an SDK sends.
    for (let i = 0; i < 150; i++) await as("mallory", { n: i });
    // Malformed requests cost a token too: junk is no way around the bucket.
    for (let i = 0; i < 50; i++) await expect(as("mallory", { junk: i })).rejects.toThrow();
    // The loop took some time, which refilled a token or a few (5 a second): spend them too.
    let refused: { code?: string; details: { reason: string; retry_after_ms: number } } | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      refused = (await as("mallory", { n: i }).then(
        () => undefined,
        (e: unknown) => e,
      )) as typeof refused;
    }
    if (!refused) throw new Error("never refused");
    expect(refused.code).toBe("resource-exhausted");
    expect(refused.details.reason).toBe("rate_limited");
    expect(refused.details.retry_after_ms).toBeGreaterThan(0);
    expect(refused.details.retry_after_ms).toBeLessThanOrEqual(200); // one token: 60 s / 300
    expect(ran).toBeGreaterThanOrEqual(150);
    expect(ran).toBeLessThan(170);
    const done = ran;
    expect(await as("bob", { n: 1 })).toBe(done + 1);
    resetCommandBuckets();
  });
});

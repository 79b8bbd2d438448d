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
    const { appCheckPasses } = await import("../../functions/src/adapters/validatedOnCall.js");
    const app = { appId: "1:2:web:3", token: {} } as never;
    expect(appCheckPasses(false, undefined)).toBe(true);
    expect(appCheckPasses(true, undefined)).toBe(false);
    expect(appCheckPasses(true, app)).toBe(true);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Backoff, backoffDelay } from "../../../client/src/backoff.js";
import { fakeClock } from "./fakes.js";

describe("backoff", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("doubles from 1 s up to 30 s, jitter taking off at most 20%", () => {
    const none = { random: () => 0 };
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, none))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(backoffDelay(2, { random: () => 1 })).toBe(3200);
  });

  it("retries after the delay, grows on failure, resets on success", () => {
    const b = new Backoff(fakeClock, { random: () => 0 });
    const retry = vi.fn();
    expect(b.failed(retry)).toBe(1000);
    vi.advanceTimersByTime(999);
    expect(retry).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(retry).toHaveBeenCalledTimes(1);
    expect(b.failed(retry)).toBe(2000);
    b.succeeded();
    expect(b.failed(retry)).toBe(1000);
  });

  it("now() retries at once; cancel() drops the retry", () => {
    const b = new Backoff(fakeClock, { random: () => 0 });
    const retry = vi.fn();
    b.failed(retry);
    b.now();
    expect(retry).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(retry).toHaveBeenCalledTimes(1);
    b.failed(retry);
    b.cancel();
    vi.advanceTimersByTime(60_000);
    expect(retry).toHaveBeenCalledTimes(1);
    expect(b.waiting).toBe(false);
  });
});

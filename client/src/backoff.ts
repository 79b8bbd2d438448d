/**
 * Retry with exponential backoff: after a failure, wait 1 s, 2 s, 4 s ... up to 30 s (with
 * up to 20% jitter, so that many clients do not come back at once), then try again. `now()`
 * skips the wait (the browser came back online); `succeeded()` resets the delays.
 */
import type { Clock } from "./clock.js";

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** 0..1, a random number; injectable for tests. */
  random?: () => number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 1000;
  const max = opts.maxMs ?? 30_000;
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt));
  const jitter = (opts.random ?? Math.random)() * 0.2;
  return Math.round(raw * (1 - jitter));
}

export class Backoff {
  private attempt = 0;
  private timer: unknown = null;
  private pending: (() => void) | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly opts: BackoffOptions = {},
  ) {}

  get waiting(): boolean {
    return this.pending !== null;
  }

  /** Schedules `retry` after the next delay (replacing a wait in progress); returns the delay. */
  failed(retry: () => void): number {
    this.cancel();
    const delay = backoffDelay(this.attempt++, this.opts);
    this.pending = retry;
    this.timer = this.clock.setTimeout(() => this.fire(), delay);
    return delay;
  }

  succeeded(): void {
    this.attempt = 0;
  }

  /** Retry at once if a retry is waiting. */
  now(): void {
    if (this.pending) this.fire();
  }

  cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private fire(): void {
    const retry = this.pending;
    this.cancel();
    retry?.();
  }
}

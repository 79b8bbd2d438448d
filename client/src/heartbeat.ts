/**
 * The heartbeat loop: while the user is the inviter or accepted in a live call, call
 * `heartbeat` every `heartbeat_interval` seconds; stop when they leave it. The server
 * records a heartbeat when the call starts and when the user accepts, so the first beat is
 * one interval after `set`.
 */
import type { Clock } from "./clock.js";

export interface HeartbeatTarget {
  callId: string;
  intervalS: number;
}

export class Heartbeat {
  private target: HeartbeatTarget | null = null;
  private timer: unknown = null;
  private last = 0;
  private sending = false;

  constructor(
    private readonly clock: Clock,
    private readonly send: (callId: string) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  get callId(): string | null {
    return this.target?.callId ?? null;
  }

  /** Start, retarget or (null) stop. The same call and interval again changes nothing. */
  set(target: HeartbeatTarget | null): void {
    const cur = this.target;
    if (cur?.callId === target?.callId && cur?.intervalS === target?.intervalS) return;
    const sameCall = cur !== null && target !== null && cur.callId === target.callId;
    this.target = target;
    if (!sameCall) this.last = this.clock.now();
    this.schedule();
  }

  /** After a reconnect or when the page is visible again: beat now if a beat is overdue. */
  poke(): void {
    if (this.target && this.clock.now() - this.last >= this.target.intervalS * 1000) this.beat();
  }

  stop(): void {
    this.set(null);
  }

  private schedule(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (!this.target) return;
    const wait = Math.max(0, this.last + this.target.intervalS * 1000 - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.beat();
    }, wait);
  }

  private beat(): void {
    const target = this.target;
    if (!target) return;
    this.last = this.clock.now();
    this.schedule();
    if (this.sending) return; // the previous beat is still in flight: it counts
    this.sending = true;
    this.send(target.callId)
      .catch((err: unknown) => {
        if (this.target?.callId === target.callId) this.onError(err);
      })
      .finally(() => {
        this.sending = false;
      });
  }
}

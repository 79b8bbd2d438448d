/**
 * When a call next needs the server: the earliest pending deadline, and whether a new
 * deadline task must be enqueued for it (docs/protocol.md#timeouts).
 */
import { isPending, type Call, type CoreConfig } from "./types.js";

/** The earliest moment something falls due, or null when nothing can. */
export function nextDeadline(call: Call, cfg: CoreConfig): number | null {
  if (call.state === "ended") return null;
  let next: number | null = null;
  const consider = (t: number | undefined): void => {
    if (t !== undefined && (next === null || t < next)) next = t;
  };
  for (const u of Object.values(call.users)) {
    if (isPending(u.state)) consider(u.deadline_at);
    if (u.state === "inviting") consider(u.receipt_deadline_at);
    if (u.state === "accepted" && u.heartbeat_at !== undefined) {
      consider(u.heartbeat_at + cfg.heartbeatTimeoutMs);
    }
  }
  return next;
}

/**
 * When a new deadline task is needed: the call has a next deadline and no pending task runs
 * at or before it (none scheduled, the scheduled one is later, or its moment has passed, so
 * it has run or been lost). A heartbeat that moves the deadline later schedules nothing: the
 * pending task runs at the old moment, finds nothing due and schedules the next one. So a
 * call has at most one pending task, never one per heartbeat.
 */
export function taskNeeded(taskAt: number | null, next: number | null, now: number): number | null {
  if (next === null) return null;
  if (taskAt !== null && taskAt <= next && taskAt > now) return null;
  if (taskAt === next) return null; // already scheduled for exactly this moment
  return next;
}

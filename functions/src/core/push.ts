/**
 * Offline push (docs/protocol.md#offline-push): which users' devices a committed change rings,
 * and whose ringing it stops and why, derived from the change itself (the users it added, the
 * moves the draft recorded), as the callbacks are, so no command has to remember a push. The
 * adapters turn each job into one message per device.
 */
import type { Change } from "./callbacks.js";
import { isPending, type Call, type CallType, type PushConfig } from "./types.js";

export type PushType = "ring" | "cancel";

/** Why a user's ringing stops. */
export type CancelReason =
  "answered_elsewhere" | "declined" | "busy" | "canceled" | "timeout" | "call_ended";

/** One user's ring or cancel for one call: at most one of each per (call, user). */
export interface PushJob {
  type: PushType;
  call_id: string;
  uid: string;
  caller_id: string;
  caller_name: string;
  call_type: CallType;
  /** The user's ring deadline (epoch ms): no ring is sent after it. */
  expires_at: number;
  /** cancel only. */
  reason?: CancelReason;
  /** cancel only: the device the answering command named, which needs no cancel. */
  except_device?: string;
  /** ring only: the startCall `push` config. */
  push?: PushConfig;
}

/**
 * The push jobs of the change from `before` (undefined: a new call) to `after`. A ring for
 * each user the change added who is ringing and has a device (not `logged_out`); a cancel for
 * each such user who was ringing before the change and is not after it. A user added and
 * answered (a busy decline) within one change was never rung, so gets neither.
 */
export function pushJobs(before: Call | undefined, after: Call, change: Change): PushJob[] {
  const base = (uid: string) => ({
    call_id: after.call_id,
    uid,
    caller_id: after.caller.id,
    caller_name: after.caller.name,
    call_type: after.type,
    expires_at: after.users[uid]?.deadline_at ?? after.deadline_at,
  });
  const out: PushJob[] = [];
  for (const uid of after.user_ids) {
    const u = after.users[uid];
    if (!u || before?.users[uid] || !isPending(u.state) || u.logged_out || u.undelivered) continue;
    out.push({ type: "ring", ...base(uid), ...(after.push ? { push: after.push } : {}) });
  }
  if (!before) return out;
  for (const m of change.moves) {
    const was = before.users[m.uid];
    const u = after.users[m.uid];
    if (!was || !u || !isPending(was.state) || was.logged_out || was.undelivered) continue;
    if (!isPending(m.from) || isPending(m.to)) continue;
    const byUser = change.acted?.actor === m.uid;
    let reason: CancelReason;
    if (m.to === "accepted") reason = "answered_elsewhere";
    else if (m.to === "rejected") reason = u.decline_type === 2 ? "busy" : "declined";
    else if (m.to === "timeout") reason = "timeout";
    else if (!m.closing) reason = "canceled";
    else {
      const r = after.end_reason;
      reason = r === "canceled" || r === "caller_offline" ? "canceled" : "call_ended";
    }
    // The device the answering command named, never one that only acked (u.device_id may
    // be an ack's when the answer named none: then every device gets the cancel).
    const answeredHere = byUser && (m.to === "accepted" || m.to === "rejected");
    const except = answeredHere ? change.acted?.device_id : undefined;
    out.push({
      type: "cancel",
      ...base(m.uid),
      expires_at: was.deadline_at ?? after.deadline_at,
      reason,
      ...(except !== undefined ? { except_device: except } : {}),
    });
  }
  return out;
}

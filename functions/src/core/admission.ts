/**
 * Who may do what (docs/protocol.md#operations): the actor's role and state checked against
 * the OPERATIONS table, and the refusals a client sees, with the state in their details.
 */
import type { Draft } from "./draft.js";
import { DomainError } from "./errors.js";
import { statusIn } from "./projection.js";
import { ADVANCED_ONLY, judge, type Command } from "./transitions.js";
import type { Call } from "./types.js";

/** Where a busy user is, and what they can do about it, by their status in that call. */
const BUSY = {
  ringing: ["Your phone is ringing", "accept or decline that call"],
  calling: ["You are calling someone", "cancel that call"],
  in_call: ["You are in a call", "end or quit that call"],
  idle: ["Another call holds you", "end that call"], // not reached: idle is never busy
} as const;

/**
 * The refusal of a command (`start` or `join` a call) while another call holds `actor`
 * busy: it names their status there (ringing, calling, in_call) and that call.
 */
export function busyRefusal(holder: Call, actor: string, command: "start" | "join"): DomainError {
  const status = statusIn(holder, actor);
  const [where, wayOut] = BUSY[status];
  return new DomainError(
    "failed_precondition",
    "busy",
    `${where} (status ${status}, call ${holder.call_id}): ${wayOut} before you ${command} a call.`,
    { call_id: holder.call_id, status },
  );
}

/** The actor's role; an undelivered invitee is as much a stranger to the call as anyone. */
export function roleOf(d: Draft, actor: string): "inviter" | "invitee" {
  if (!d.call.users[actor] || d.call.users[actor].undelivered) {
    throw new DomainError("permission_denied", "not_in_call", "You are not in this call.", {
      call_id: d.call.call_id,
    });
  }
  return actor === d.inviterId ? "inviter" : "invitee";
}

export function stateDetails(d: Draft, actor: string): Record<string, unknown> {
  const c = d.call;
  return {
    call_id: c.call_id,
    call_state: c.state,
    user_state: c.users[actor]?.state ?? null,
    ...(c.end_reason ? { end_reason: c.end_reason } : {}),
  };
}

export function refuse(d: Draft, actor: string, reason: string): never {
  const ended = d.call.state === "ended";
  const why = ended ? "call_ended" : reason;
  throw new DomainError(
    "failed_precondition",
    why,
    ended ? "The call has ended." : `Not allowed in the current state (${why}).`,
    stateDetails(d, actor),
  );
}

/**
 * Consults OPERATIONS for `command`: returns true when the command should act, false when
 * it already took effect (idempotent repeat), and throws the table's refusal otherwise.
 */
export function admit(d: Draft, actor: string, command: Command, deviceId?: string): boolean {
  const role = roleOf(d, actor);
  d.acted = { actor, command, ...(deviceId !== undefined ? { device_id: deviceId } : {}) };
  if (ADVANCED_ONLY.includes(command) && d.call.mode !== "advanced") {
    throw new DomainError(
      "failed_precondition",
      "mode_common",
      "Only an advanced-mode call allows this.",
      stateDetails(d, actor),
    );
  }
  const verdict = judge(command, role, d.user(actor).state);
  if (verdict.kind === "done") return false;
  if (verdict.kind === "refuse") refuse(d, actor, verdict.reason);
  if (d.call.state === "ended") refuse(d, actor, "call_ended");
  return true;
}

/**
 * One device answers (docs/protocol.md#one-device-answers): once a user accepted on a device,
 * a command naming another of their devices is refused `answered_elsewhere` (its details
 * name the active device). A command naming no device, or a user whose answer named none,
 * passes as before.
 */
export function onlyActiveDevice(d: Draft, actor: string, deviceId: string | undefined): void {
  const u = d.call.users[actor];
  if (deviceId === undefined || d.call.state === "ended" || u?.state !== "accepted") return;
  if (u.device_id === undefined || u.device_id === deviceId) return;
  throw new DomainError(
    "failed_precondition",
    "answered_elsewhere",
    "This call was answered on another device.",
    { ...stateDetails(d, actor), active_device_id: u.device_id },
  );
}

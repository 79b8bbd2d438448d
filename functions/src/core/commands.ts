/**
 * The one-to-one commands on an existing call (docs/protocol.md#commands): accept, decline,
 * cancel, end, heartbeat and ack. Each takes the draft, the acting user and the command's
 * validated input as the schema gives it.
 */
import type {
  AcceptCallInput,
  AckCallInput,
  CancelCallInput,
  DeclineCallInput,
  HeartbeatInput,
} from "../model/commands.js";
import type { CommandResult } from "../model/wire.js";
import { admit, onlyActiveDevice, roleOf, stateDetails } from "./admission.js";
import type { Draft } from "./draft.js";
import { endFor, settle } from "./ending.js";
import { DomainError, InvariantError } from "./errors.js";
import { isPending, type Call, type CallUser } from "./types.js";

export type { CommandResult };

export function resultFor(call: Call, actor: string): CommandResult {
  const u = call.users[actor];
  if (!u) throw new InvariantError(`no user ${actor} in ${call.call_id}`);
  return {
    call_id: call.call_id,
    state: call.state,
    end_reason: call.end_reason ?? null,
    user_state: u.state,
  };
}

/** The answer fields a command records on the acting user. */
function answered(input: { extended_data?: string; device_id?: string }): Partial<CallUser> {
  const patch: Partial<CallUser> = {};
  if (input.extended_data !== undefined) patch.extended_data = input.extended_data;
  if (input.device_id !== undefined) patch.device_id = input.device_id;
  return patch;
}

export function accept(
  d: Draft,
  actor: string,
  input: Pick<AcceptCallInput, "extended_data" | "device_id">,
): void {
  roleOf(d, actor);
  onlyActiveDevice(d, actor, input.device_id); // a second device's accept
  if (!admit(d, actor, "accept", input.device_id)) return;
  // The accepting device is the active one; one that only acked is not (no device: none is).
  const u = d.user(actor);
  if (input.device_id === undefined) delete u.device_id;
  d.move(actor, "accepted", { ...answered(input), heartbeat_at: d.now });
  for (const to of d.activeExcept(actor)) {
    d.notify(to, "/call/notify_call_accept", {
      callee_id: actor,
      extended_data: input.extended_data ?? "",
    });
  }
  d.announce([actor]);
  settle(d, "accepted");
}

export function decline(
  d: Draft,
  actor: string,
  input: Pick<DeclineCallInput, "type" | "extended_data" | "caller_id" | "device_id">,
): void {
  roleOf(d, actor);
  if (input.caller_id !== undefined && input.caller_id !== d.inviterId) {
    throw new DomainError(
      "permission_denied",
      "caller_mismatch",
      "caller_id is not this call's caller.",
      { call_id: d.call.call_id },
    );
  }
  if (!admit(d, actor, "decline", input.device_id)) return;
  d.move(actor, "rejected", { ...answered(input), decline_type: input.type });
  for (const to of d.activeExcept(actor)) {
    d.notify(to, "/call/notify_call_decline", {
      callee_id: actor,
      type: input.type,
      extended_data: input.extended_data ?? "",
    });
  }
  d.announce([actor]);
  settle(d, "declined");
}

/** The invitees a cancel names: `callee_ids`, `callee_id`, or everyone still ringing. */
function cancelTargets(d: Draft, input: Pick<CancelCallInput, "callee_id" | "callee_ids">) {
  if (input.callee_ids) return input.callee_ids;
  if (input.callee_id !== undefined) return [input.callee_id];
  return d
    .invitees()
    .filter((u) => isPending(u.state))
    .map((u) => u.id);
}

export function cancel(
  d: Draft,
  actor: string,
  input: Pick<CancelCallInput, "callee_id" | "callee_ids">,
): void {
  const c = d.call;
  roleOf(d, actor);
  // Repeating a cancel that ended the call is a success that changes nothing.
  if (c.state === "ended" && c.end_reason === "canceled" && c.ended_by === actor) return;
  if (!admit(d, actor, "cancel")) return;
  const targets = cancelTargets(d, input);
  for (const id of targets) {
    if (id === actor || !c.users[id]) {
      throw new DomainError(
        "failed_precondition",
        "not_invited",
        `${id} is not invited to this call.`,
        {
          ...stateDetails(d, actor),
          callee_id: id,
        },
      );
    }
  }
  const ringing = targets.filter((id) => isPending(d.user(id).state));
  if (ringing.length === 0) {
    if (targets.length > 0 && targets.every((id) => d.user(id).state === "canceled")) return;
    throw new DomainError(
      "failed_precondition",
      "already_answered",
      "No invitee left to cancel: they have already answered.",
      {
        ...stateDetails(d, actor),
        callees: targets.map((id) => ({ id, state: d.user(id).state })),
      },
    );
  }
  for (const id of ringing) {
    d.move(id, "canceled");
    d.notify(id, "/call/notify_call_canceled", { caller_id: actor });
  }
  d.announce(ringing);
  // A common call left ringing nobody is over; an advanced one lives while its inviter does.
  if (c.state === "ringing" && c.mode === "common" && d.inState(isPending).length === 0) {
    endFor(d, "canceled", { by: actor });
  } else {
    settle(d, "canceled");
  }
}

export function end(d: Draft, actor: string): void {
  roleOf(d, actor);
  if (d.call.state === "ended") return; // ending an ended call: already the case
  if (!admit(d, actor, "end")) return;
  const others = d
    .inState((s) => s === "accepted" || isPending(s))
    .map((u) => u.id)
    .filter((id) => id !== actor);
  for (const to of others) d.notify(to, "/call/notify_call_end", { id: actor });
  endFor(d, "hang_up", { by: actor, tellPending: false });
}

/** A heartbeat from a device other than the active one is refused and keeps nothing alive. */
export function heartbeat(
  d: Draft,
  actor: string,
  input: Pick<HeartbeatInput, "device_id"> = {},
): void {
  if (!admit(d, actor, "heartbeat")) return;
  onlyActiveDevice(d, actor, input.device_id);
  d.user(actor).heartbeat_at = d.now;
  d.changed = true;
}

/**
 * ackCall: a device of the invitee received the invitation: Inviting or NotYetReceived
 * becomes Received, and the state-change audience is told. Records the device.
 */
export function ack(d: Draft, actor: string, input: Pick<AckCallInput, "device_id">): void {
  if (!admit(d, actor, "ack")) return;
  d.move(actor, "received", answered({ device_id: input.device_id }));
  d.announce([actor]);
}

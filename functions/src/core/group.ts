/**
 * Advanced-mode commands (docs/protocol.md#group-calls-and-advanced-mode): invite more users
 * into a live call, join it, quit it.
 */
import type { JoinCallInput, QuitCallInput } from "../model/commands.js";
import type { Invited } from "../model/wire.js";
import { admit, busyRefusal, stateDetails } from "./admission.js";
import type { Draft } from "./draft.js";
import { settle } from "./ending.js";
import { DomainError } from "./errors.js";
import { ring, type Invitees } from "./ringing.js";
import { isPending, MAX_CALL_USERS, type Call, type CallUser } from "./types.js";

/** The core's part of inviteToCall's answer (model/wire.ts). */
export type InviteResult = Invited;

/**
 * callingInvite: an accepted user invites users new to the call, who ring until `timeout`
 * seconds from now (the call's timeout). The call may hold at most `maxCallUsers` users,
 * counting everyone it has named; past that, nobody is invited. Naming again users this
 * actor already invited is a repeat (a client's retry): it succeeds, changes nothing for
 * them and reports them as the first answer did (docs/protocol.md#idempotency).
 */
export function invite(d: Draft, actor: string, who: Invitees): InviteResult {
  if (!admit(d, actor, "invite")) return { invited: [], busy: [], already: [] };
  const c = d.call;
  const fresh = who.callees.filter((u) => !c.users[u.id]);
  const mine = (id: string) => c.users[id]?.invited_by === actor;
  const already = who.callees.filter((u) => c.users[u.id] && !mine(u.id)).map((u) => u.id);
  if (fresh.length === 0 && already.length === who.callees.length) {
    throw new DomainError(
      "failed_precondition",
      "already_in_call",
      "Everyone named is already in this call.",
      { ...stateDetails(d, actor), callees: already },
    );
  }
  const max = d.cfg.maxCallUsers ?? MAX_CALL_USERS;
  if (c.user_ids.length + fresh.length > max) {
    throw new DomainError(
      "failed_precondition",
      "call_full",
      `A call holds at most ${max} users.`,
      {
        ...stateDetails(d, actor),
        max_users: max,
        users: c.user_ids.length,
      },
    );
  }
  // Who was busy: among the fresh, as found now; among the repeated, as declined then. An
  // undelivered invitee is never busy (ring() does not decline them): listing them would tell
  // the inviter they are online (docs/protocol.md#who-may-ring-whom).
  const wasBusy = (id: string) =>
    c.users[id] ? c.users[id].state === "rejected" && c.users[id].decline_type === 2 : false;
  const busyNow = (id: string) =>
    c.users[id] ? wasBusy(id) : who.busy.has(id) && !who.undelivered?.has(id);
  const named = who.callees.filter((u) => !already.includes(u.id)).map((u) => u.id);
  const busy = named.filter(busyNow);
  if (fresh.length > 0) {
    const inviter = d.user(actor);
    ring(
      d,
      { id: inviter.id, name: inviter.name },
      { ...who, callees: fresh },
      d.now + c.timeout * 1000,
    );
    for (const u of fresh) d.user(u.id).invited_by = actor; // to recognise a retry
    settle(d, "declined");
  }
  return { invited: named.filter((id) => !busy.includes(id)), busy, already };
}

/**
 * Whether joinCall by `actor` must first check that no other call holds them busy: they
 * come back to a live advanced call they had left or never answered.
 */
export function joinNeedsBusyCheck(d: Draft, actor: string): boolean {
  const mine = d.call.users[actor];
  const rejoining = mine !== undefined && !isPending(mine.state) && mine.state !== "accepted";
  return rejoining && d.call.state !== "ended" && d.call.mode === "advanced";
}

/**
 * callJoin: an invited user who is not in the call joins it (Accepted, and everyone in the
 * call is told); an accepted user moves the call to `device_id` (nobody is told: only the
 * user's own doc changes). `elsewhere`: another call that holds the actor busy.
 */
export function join(
  d: Draft,
  actor: string,
  input: Pick<JoinCallInput, "device_id" | "extended_data">,
  elsewhere?: Call,
): void {
  if (elsewhere) {
    throw busyRefusal(elsewhere, actor, "join");
  }
  if (!admit(d, actor, "join", input.device_id)) return;
  const u = d.user(actor);
  if (u.state === "accepted") {
    if (input.device_id !== undefined) u.device_id = input.device_id;
    u.heartbeat_at = d.now;
    u.updated_at = d.now;
    d.changed = true;
    return;
  }
  const patch: Partial<CallUser> = { heartbeat_at: d.now, decline_type: undefined };
  if (input.device_id !== undefined) patch.device_id = input.device_id;
  if (input.extended_data !== undefined) patch.extended_data = input.extended_data;
  d.move(actor, "accepted", patch);
  delete u.decline_type;
  d.announce([actor]);
  settle(d, "accepted");
}

/** callQuit: an accepted user leaves; the call ends when nobody accepted is left. */
export function quit(d: Draft, actor: string, input: Pick<QuitCallInput, "extended_data">): void {
  if (!admit(d, actor, "quit")) return;
  d.move(
    actor,
    "quit",
    input.extended_data !== undefined ? { extended_data: input.extended_data } : {},
  );
  d.announce([actor]);
  settle(d, "quit");
}

/**
 * The reference model's commands (test/support/referenceModel.ts): each operation's refusals
 * and moves as docs/protocol.md#operations states them, startCall's and inviteToCall's
 * invitations (with the block lists' hooks, referenceBlocks.ts) and the start rate limit.
 */
import {
  blockCommand,
  isBlockCommand,
  isUndelivered,
  markUndelivered,
  screened,
} from "./referenceBlocks.js";
import { Change, outcomeOf } from "./referenceChange.js";
import {
  busyIn,
  isRinging,
  LIMITS,
  type Answer,
  type Command,
  type MCall,
  type MState,
  type MUser,
} from "./referenceState.js";

const refuse = (code: string, reason: string): Answer => ({
  ok: false,
  code: `functions/${code}`,
  reason,
});

function result(c: MCall, actor: string): Extract<Answer, { ok: true }> {
  return {
    ok: true,
    call_id: c.call_id,
    state: c.state,
    end_reason: c.end_reason ?? null,
    user_state: (c.users[actor] as MUser).state,
  };
}

/** Stamps an invitation on `id` (docs/protocol.md#startcall, #inviteToCall, #timeouts). */
function ring(c: MCall, u: MUser, now: number): void {
  u.state = "inviting";
  u.deadline_at = now + c.timeout * 1000;
  if (c.not_received_check) u.receipt_deadline_at = now + LIMITS.notReceivedMs;
}

/**
 * Applies one command at server time `now`; returns the predicted answer. `observed` only
 * settles what the protocol leaves open to timing (a start past the rate limit's burst may or
 * may not have been refilled).
 */
export function command(s: MState, cmd: Command, now: number, observed?: Answer): Answer {
  if (cmd.name === "startCall") return start(s, cmd, now, observed);
  if (isBlockCommand(cmd)) return blockCommand(s, cmd);
  const c = s.calls[cmd.call_id];
  if (!c) return refuse("not-found", "call_not_found");
  const me = c.users[cmd.actor];
  if (!me || isUndelivered(c, cmd.actor)) return refuse("permission-denied", "not_in_call");
  const ch = new Change(s, c);
  const ended = c.state === "ended";
  const inviter = cmd.actor === c.caller;
  // A refusal by state or role reads call_ended on an ended call (docs/protocol.md#operations).
  const byState = (reason: string) =>
    ended ? refuse("failed-precondition", "call_ended") : refuse("failed-precondition", reason);
  if (
    (cmd.name === "inviteToCall" || cmd.name === "joinCall" || cmd.name === "quitCall") &&
    c.mode === "common"
  ) {
    return refuse("failed-precondition", "mode_common");
  }
  switch (cmd.name) {
    case "cancelCall": {
      if (!inviter) return byState("not_inviter");
      if (ended) {
        return c.ended_by === cmd.actor && c.end_reason === "canceled"
          ? result(c, cmd.actor)
          : byState("not_in_call");
      }
      if (me.state !== "accepted") return byState("not_in_call");
      const targets = ch.ringing;
      if (!targets.length) return byState("already_answered");
      for (const id of targets) {
        ch.user(id).state = "canceled";
        ch.notify(id, "/call/notify_call_canceled", { caller_id: cmd.actor });
      }
      ch.tell(targets);
      if (c.state === "ringing" && c.mode === "common" && ch.ringing.length === 0) {
        ch.end("canceled", now, cmd.actor);
      } else ch.settle("canceled", now);
      break;
    }
    case "acceptCall":
    case "declineCall": {
      if (inviter) return byState("not_invited");
      const accept = cmd.name === "acceptCall";
      if (!ended && isRinging(me.state)) {
        me.state = accept ? "accepted" : "rejected";
        if (accept) {
          me.heartbeat_at = now;
          for (const id of ch.accepted) {
            if (id !== cmd.actor)
              ch.notify(id, "/call/notify_call_accept", { callee_id: cmd.actor });
          }
        } else {
          me.decline_type = cmd.type ?? 1;
          for (const id of ch.accepted) {
            ch.notify(id, "/call/notify_call_decline", {
              callee_id: cmd.actor,
              type: me.decline_type,
            });
          }
        }
        ch.tell([cmd.actor]);
        ch.settle(accept ? "accepted" : "declined", now);
        break;
      }
      if ((accept && me.state === "accepted") || (!accept && me.state === "rejected")) {
        return result(c, cmd.actor);
      }
      return byState("already_answered");
    }
    case "endCall": {
      if (ended) return result(c, cmd.actor);
      if (me.state !== "accepted") return byState("not_accepted");
      for (const id of c.user_ids) {
        const u = ch.user(id);
        if (id !== cmd.actor && (u.state === "accepted" || isRinging(u.state))) {
          ch.notify(id, "/call/notify_call_end", { id: cmd.actor });
        }
      }
      ch.end(c.state === "ringing" ? outcomeOf(c) : "completed", now, cmd.actor, true);
      break;
    }
    case "heartbeat": {
      if (ended || me.state !== "accepted") return byState("not_accepted");
      me.heartbeat_at = now;
      break;
    }
    case "quitCall": {
      if (me.state === "quit") return result(c, cmd.actor);
      if (ended || me.state !== "accepted") return byState("not_accepted");
      me.state = "quit";
      ch.tell([cmd.actor]);
      ch.settle("quit", now);
      break;
    }
    case "ackCall": {
      if (inviter) return byState("not_invited");
      if (me.state === "inviting" || me.state === "not_yet_received") {
        if (ended) return byState("already_answered");
        me.state = "received";
        ch.tell([cmd.actor]);
      }
      break;
    }
    case "joinCall": {
      if (ended) return refuse("failed-precondition", "call_ended");
      if (me.state === "accepted") {
        me.heartbeat_at = now;
        break;
      }
      if (!isRinging(me.state)) {
        const other = busyIn(s, cmd.actor);
        if (other && other.call_id !== c.call_id) return refuse("failed-precondition", "busy");
      }
      me.state = "accepted";
      me.heartbeat_at = now;
      delete me.decline_type;
      ch.tell([cmd.actor]);
      ch.settle("accepted", now);
      break;
    }
    case "inviteToCall": {
      if (ended || me.state !== "accepted") return byState("not_accepted");
      const repeat = cmd.callees.filter((id) => c.users[id]?.invited_by === cmd.actor);
      const already = cmd.callees.filter((id) => c.users[id] && !repeat.includes(id));
      const fresh = cmd.callees.filter((id) => !c.users[id]);
      if (!fresh.length && !repeat.length) return byState("already_in_call");
      if (c.user_ids.length + fresh.length > LIMITS.maxCallUsers) {
        return byState("call_full");
      }
      const busy: string[] = [];
      const invited: string[] = [];
      for (const id of repeat) (c.users[id]?.busy_at_invite ? busy : invited).push(id);
      const rung: string[] = [];
      const hidden = screened(s, cmd.actor, fresh);
      markUndelivered(c, hidden);
      for (const id of fresh) {
        const u: MUser = { id, state: "inviting", invited_by: cmd.actor };
        if (!hidden.has(id) && busyIn(s, id)) {
          u.state = "rejected";
          u.decline_type = 2;
          u.busy_at_invite = true;
          busy.push(id);
        } else {
          ring(c, u, now);
          invited.push(id);
          rung.push(id);
        }
        c.users[id] = u;
        c.user_ids.push(id);
      }
      for (const id of fresh) {
        if (!c.users[id]?.busy_at_invite) continue;
        for (const to of ch.accepted) {
          ch.notify(to, "/call/notify_call_decline", { callee_id: id, type: 2 });
        }
      }
      for (const id of rung) {
        ch.notify(id, "/call/notify_call_invited", {
          caller: c.caller,
          callees: c.user_ids.filter((x) => x !== c.caller),
          mode: c.mode,
          timeout: c.timeout,
          ...(cmd.actor !== c.caller ? { inviter: cmd.actor } : {}),
        });
      }
      // The new users' states reach the audience, as at startCall.
      ch.tell(fresh);
      ch.syncDocs();
      return {
        ...result(c, cmd.actor),
        invited: invited.sort(),
        busy: busy.sort(),
        already: already.sort(),
      };
    }
  }
  ch.syncDocs();
  return result(c, cmd.actor);
}

function start(
  s: MState,
  cmd: Extract<Command, { name: "startCall" }>,
  now: number,
  observed?: Answer,
): Answer {
  if (busyIn(s, cmd.actor)) return refuse("failed-precondition", "busy");
  const taken = s.starts[cmd.actor] ?? 0;
  if (
    taken >= LIMITS.startBurst &&
    observed &&
    !observed.ok &&
    observed.reason === "rate_limited"
  ) {
    return refuse("resource-exhausted", "rate_limited");
  }
  s.starts[cmd.actor] = taken + 1;
  const c: MCall = {
    call_id: cmd.call_id,
    caller: cmd.actor,
    mode: cmd.mode,
    timeout: cmd.timeout,
    not_received_check: cmd.check,
    state: "ringing",
    users: { [cmd.actor]: { id: cmd.actor, state: "accepted", heartbeat_at: now } },
    user_ids: [cmd.actor, ...cmd.callees],
  };
  s.calls[c.call_id] = c;
  const ch = new Change(s, c);
  const busy: string[] = [];
  const hidden = screened(s, cmd.actor, cmd.callees);
  markUndelivered(c, hidden);
  for (const id of cmd.callees) {
    const u: MUser = { id, state: "inviting" };
    if (!hidden.has(id) && busyIn(s, id)) {
      u.state = "rejected";
      u.decline_type = 2;
      u.busy_at_invite = true;
      busy.push(id);
    } else ring(c, u, now);
    c.users[id] = u;
  }
  for (const id of cmd.callees) {
    if (busy.includes(id)) {
      ch.notify(cmd.actor, "/call/notify_call_decline", { callee_id: id, type: 2 });
    } else {
      ch.notify(id, "/call/notify_call_invited", {
        caller: cmd.actor,
        callees: cmd.callees,
        mode: c.mode,
        timeout: c.timeout,
      });
    }
  }
  ch.tell(cmd.callees);
  ch.settle("declined", now);
  ch.syncDocs();
  return { ok: true, call_id: c.call_id };
}

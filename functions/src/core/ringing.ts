/**
 * Ringing invitees: adding them to a call, declining the busy ones at once (type 2) and
 * telling the rest they are invited (docs/protocol.md#busy).
 */
import type { Draft } from "./draft.js";
import { NOT_RECEIVED_MS, type UserRef } from "./types.js";

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Who to ring, and what the adapter found out about them in the same transaction. */
export interface Invitees {
  /** Callees who are Auth users and new to the call, in request order. */
  callees: readonly UserRef[];
  /** Callees busy in another call: declined with type 2 at once. */
  busy: ReadonlySet<string>;
  /** Callees with no registered device (logged out); recorded, they still ring. */
  loggedOut?: ReadonlySet<string>;
  /**
   * Callees not to be rung (screening.ts): kept as invitees who never answer, never declined
   * as busy (that would tell the caller something), told nothing.
   */
  undelivered?: ReadonlySet<string>;
}

/** Rings `callees` (new to the call) until `deadline`, on behalf of `inviter`. */
export function ring(d: Draft, inviter: UserRef, who: Invitees, deadline: number): void {
  const c = d.call;
  for (const callee of who.callees) {
    c.users[callee.id] = {
      id: callee.id,
      name: callee.name,
      state: "inviting",
      deadline_at: deadline,
      ...(who.loggedOut?.has(callee.id) ? { logged_out: true } : {}),
      ...(who.undelivered?.has(callee.id) ? { undelivered: true } : {}),
      ...(c.not_received_check
        ? { receipt_deadline_at: d.now + (d.cfg.notReceivedMs ?? NOT_RECEIVED_MS) }
        : {}),
      updated_at: d.now,
    };
    c.user_ids.push(callee.id);
  }
  d.changed = true;
  const everyone = d.invitees().map((u) => ({ id: u.id, name: u.name }));
  for (const callee of who.callees) {
    if (who.busy.has(callee.id) && !who.undelivered?.has(callee.id)) {
      d.move(callee.id, "rejected", { decline_type: 2 });
      for (const to of d.active()) {
        d.notify(to, "/call/notify_call_decline", {
          callee_id: callee.id,
          type: 2,
          extended_data: "",
        });
      }
    } else {
      d.notify(callee.id, "/call/notify_call_invited", {
        caller: c.caller,
        callees: everyone,
        type: c.type,
        mode: c.mode,
        timeout: c.timeout,
        deadline_at: iso(deadline),
        extended_data: c.extended_data,
        ...(inviter.id !== c.caller.id ? { inviter } : {}),
      });
    }
  }
  d.announce(who.callees.map((u) => u.id));
}

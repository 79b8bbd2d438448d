/** One-to-one lifecycles in the pure core: states, end reasons, notifications, deadlines. */
import { describe, expect, it } from "vitest";
import { accept, cancel, decline, end, heartbeat } from "../../functions/src/core/commands.js";
import { startCall } from "../../functions/src/core/create.js";
import { Draft } from "../../functions/src/core/draft.js";
import {
  affectedUsers,
  impliedUserDoc,
  reconcileUser,
  statusIn,
} from "../../functions/src/core/projection.js";
import { nextDeadline, taskNeeded } from "../../functions/src/core/schedule.js";
import { applyDue } from "../../functions/src/core/timeouts.js";
import { canMove, USER_TRANSITIONS } from "../../functions/src/core/transitions.js";
import { InvariantError } from "../../functions/src/core/errors.js";
import { USER_STATES, type Call, type UserState } from "../../functions/src/core/types.js";
import type { Effect } from "../../functions/src/core/effects.js";
import type { Notice } from "../../functions/src/core/notifications.js";
import { cfg, run, start, T0 } from "./fixtures.js";

const paths = (ns: Notice[]) => ns.map((n) => `${n.to} ${n.path}`);
/** The notice that tells `to` of users' new states. */
const changed = (to: string, users: [string, string, string?][]): Notice => ({
  to,
  path: "/call/notify_user_state_changed",
  body: {
    call_id: "c1",
    users: users.map(([id, state, extended_data]) => ({
      id,
      state: state as UserState,
      extended_data: extended_data ?? "",
    })),
  },
});
/** The effects that enqueue or cancel deadline tasks (callbacks aside). */
const deadlineEffects = (effects: Effect[]) =>
  effects.filter((e) => e.kind === "schedule_deadline" || e.kind === "cancel_deadline");
const due = (call: Call, now: number) => run(call, now, (d) => applyDue(d));

describe("user state transitions (docs/protocol.md#transitions)", () => {
  it("allows exactly the table's moves and throws on any other", () => {
    for (const from of USER_STATES) {
      for (const to of USER_STATES) {
        const call = start();
        call.users.bob!.state = from;
        const d = new Draft(call, T0, cfg);
        if (USER_TRANSITIONS[from].includes(to)) {
          expect(canMove(from, to)).toBe(true);
          d.move("bob", to);
          expect(d.call.users.bob?.state).toBe(to);
        } else {
          expect(canMove(from, to)).toBe(false);
          expect(() => d.move("bob", to)).toThrow(InvariantError);
        }
      }
    }
  });
});

describe("startCall", () => {
  it("rings the callee and makes the inviter calling", () => {
    const o = run(start(), T0, () => undefined);
    const c = o.call;
    expect(c.state).toBe("ringing");
    expect(c.users.alice).toMatchObject({ state: "accepted", heartbeat_at: T0 });
    expect(c.users.bob).toMatchObject({ state: "inviting", deadline_at: T0 + 60_000 });
    expect(c.next_deadline_at).toBe(T0 + 60_000);
    expect(statusIn(c, "alice")).toBe("calling");
    expect(statusIn(c, "bob")).toBe("ringing");
  });

  it("writes notify_call_invited with ZEGO Call's body, extended", () => {
    const o = startCall(
      { type: 2, mode: "common", timeout: 30, extended_data: '{"k":1}', not_received_check: false },
      {
        call_id: "c1",
        caller: { id: "alice", name: "Alice" },
        callees: [{ id: "bob", name: "Bob" }],
        busy: new Set(),
        request_hash: "h",
        error_invitees: [],
      },
      T0,
      cfg,
    );
    expect(o.call.version).toBe(1);
    expect(o.notices).toEqual([
      {
        to: "bob",
        path: "/call/notify_call_invited",
        body: {
          call_id: "c1",
          caller: { id: "alice", name: "Alice" },
          callees: [{ id: "bob", name: "Bob" }],
          type: 2,
          mode: "common",
          timeout: 30,
          deadline_at: new Date(T0 + 30_000).toISOString(),
          extended_data: '{"k":1}',
        },
      },
      // The state-change audience: Accepted and Inviting users hear of the invitee's state
      changed("alice", [["bob", "inviting"]]),
      changed("bob", [["bob", "inviting"]]),
    ]);
    expect(o.call.start_result).toEqual({
      call_id: "c1",
      timeout: 30,
      deadline_at: new Date(T0 + 30_000).toISOString(),
      error_invitees: [],
    });
  });

  it("declines a busy callee with type 2 and ends the call busy", () => {
    const { call } = run(start(["bob"], { busy: new Set(["bob"]) }), T0, () => undefined);
    expect(call.state).toBe("ended");
    expect(call.end_reason).toBe("busy");
    expect(call.users.bob).toMatchObject({ state: "rejected", decline_type: 2 });
    expect(call.users.alice?.state).toBe("quit");
    expect(statusIn(call, "alice")).toBe("idle");
  });
});

describe("one-to-one lifecycles", () => {
  it("accept then end by the callee", () => {
    const accepted = run(start(), T0 + 1000, (d) => accept(d, "bob", { extended_data: "x" }));
    expect(accepted.call.state).toBe("ongoing");
    expect(paths(accepted.notices)).toEqual([
      "alice /call/notify_call_accept",
      "alice /call/notify_user_state_changed",
      "bob /call/notify_user_state_changed",
    ]);
    expect(accepted.notices[2]).toEqual(changed("bob", [["bob", "accepted", "x"]]));
    expect(accepted.notices[0]?.body).toEqual({
      call_id: "c1",
      callee_id: "bob",
      extended_data: "x",
    });
    expect(statusIn(accepted.call, "alice")).toBe("in_call");
    expect(statusIn(accepted.call, "bob")).toBe("in_call");
    const ended = run(accepted.call, T0 + 5000, (d) => end(d, "bob"));
    expect(ended.call).toMatchObject({
      state: "ended",
      end_reason: "completed",
      ended_by: "bob",
      ended_at: T0 + 5000,
    });
    expect(ended.notices).toEqual([
      { to: "alice", path: "/call/notify_call_end", body: { call_id: "c1", id: "bob" } },
    ]);
    expect(ended.call.next_deadline_at).toBeNull();
    expect(ended.call.version).toBe(accepted.call.version + 1);
  });

  it("decline tells the caller with the type and ends declined", () => {
    const r = run(start(), T0 + 1000, (d) => decline(d, "bob", { type: 1, extended_data: "no" }));
    expect(r.call.end_reason).toBe("declined");
    expect(r.notices).toEqual([
      {
        to: "alice",
        path: "/call/notify_call_decline",
        body: { call_id: "c1", callee_id: "bob", type: 1, extended_data: "no" },
      },
      changed("alice", [["bob", "rejected", "no"]]), // a Rejected user hears nothing more
    ]);
  });

  it("a decline with type 2 ends the call busy", () => {
    expect(run(start(), T0, (d) => decline(d, "bob", { type: 2 })).call.end_reason).toBe("busy");
  });

  it("a decline naming another caller is refused", () => {
    const r = run(start(), T0, (d) => decline(d, "bob", { type: 1, caller_id: "eve" }));
    expect(r.error?.kind).toBe("permission_denied");
    expect(r.changed).toBe(false);
  });

  it("cancel tells the callee and ends canceled", () => {
    const r = run(start(), T0 + 1000, (d) => cancel(d, "alice", {}));
    expect(r.call).toMatchObject({ state: "ended", end_reason: "canceled", ended_by: "alice" });
    expect(r.notices).toEqual([
      {
        to: "bob",
        path: "/call/notify_call_canceled",
        body: { call_id: "c1", caller_id: "alice" },
      },
      changed("alice", [["bob", "canceled"]]),
    ]);
  });

  it("cancel naming someone not invited is refused", () => {
    const r = run(start(), T0, (d) => cancel(d, "alice", { callee_ids: ["zed"] }));
    expect(r.error?.reason).toBe("not_invited");
  });

  it("cancel after the callee accepted is refused already_answered", () => {
    const accepted = run(start(), T0, (d) => accept(d, "bob", {})).call;
    expect(run(accepted, T0 + 1, (d) => cancel(d, "alice", {})).error?.reason).toBe(
      "already_answered",
    );
  });

  it("endCall by the caller while ringing cancels: the callee hears notify_call_end", () => {
    const r = run(start(), T0 + 1000, (d) => end(d, "alice"));
    expect(r.call).toMatchObject({ end_reason: "canceled", ended_by: "alice" });
    expect(r.call.users.bob?.state).toBe("canceled");
    expect(paths(r.notices)).toEqual(["bob /call/notify_call_end"]);
  });
});

describe("timeouts", () => {
  it("nothing is due before the deadline", () => {
    const r = due(start(), T0 + 59_999);
    expect(r.changed).toBe(false);
  });

  it("invitation timeout at the deadline: invitee timeout, caller told, ended no_answer", () => {
    const r = due(start(), T0 + 60_000);
    expect(r.call).toMatchObject({
      state: "ended",
      end_reason: "no_answer",
      ended_at: T0 + 60_000,
    });
    expect(r.call.users.bob?.state).toBe("timeout");
    expect(r.notices).toEqual([
      { to: "bob", path: "/call/notify_invitation_timeout", body: { call_id: "c1" } },
      {
        to: "alice",
        path: "/call/notify_invitees_answered_timeout",
        body: { call_id: "c1", invitees: ["bob"] },
      },
      changed("alice", [["bob", "timeout"]]),
    ]);
  });

  it("a timeout applied late is dated at its deadline", () => {
    const r = due(start(), T0 + 75_000);
    expect(r.call).toMatchObject({ end_reason: "no_answer", ended_at: T0 + 60_000 });
  });

  it("a late accept is refused and the timeout still applies", () => {
    const d = new Draft(start(["bob"], { timeout: 10 }), T0 + 10_001, cfg);
    applyDue(d);
    const r = d.attempt((x) => accept(x, "bob", {}));
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.details).toMatchObject({ user_state: "timeout", call_state: "ended" });
    expect(d.finish().call.end_reason).toBe("no_answer");
  });

  it("caller offline while ringing cancels the invitation", () => {
    const long = start(["bob"], { timeout: 600 });
    const r = due(long, T0 + 60_000);
    expect(r.call).toMatchObject({ state: "ended", end_reason: "caller_offline" });
    expect(r.call.users.bob?.state).toBe("canceled");
    expect(r.notices).toEqual([
      {
        to: "bob",
        path: "/call/notify_call_canceled",
        body: { call_id: "c1", caller_id: "alice" },
      },
    ]);
  });

  it("a heartbeat moves the heartbeat deadline", () => {
    const long = start(["bob"], { timeout: 600 });
    const beat = run(long, T0 + 50_000, (d) => heartbeat(d, "alice"));
    expect(beat.notices).toEqual([]);
    expect(beat.call.version).toBe(long.version);
    expect(beat.call.next_deadline_at).toBe(T0 + 110_000);
    // The heartbeat schedules no task: the pending one (at +60 s) runs first.
    expect(long.task_at).toBe(T0 + 60_000);
    expect(deadlineEffects(beat.effects)).toEqual([]);
    expect(beat.call.task_at).toBe(T0 + 60_000);
    // That task, at +60 s, finds nothing due and schedules the next one for +110 s.
    const early = due(beat.call, T0 + 60_000);
    expect(early.notices).toEqual([]);
    expect(early.call.state).toBe("ringing");
    expect(deadlineEffects(early.effects)).toEqual([
      { kind: "schedule_deadline", call_id: "c1", at: T0 + 110_000 },
    ]);
    expect(due(early.call, T0 + 109_999).changed).toBe(false);
    expect(due(early.call, T0 + 110_000).call.end_reason).toBe("caller_offline");
  });

  it("a call that ends cancels its pending deadline task", () => {
    const c = start();
    expect(c.task_at).toBe(T0 + 60_000);
    const r = run(c, T0 + 1000, (d) => cancel(d, "alice", {}));
    expect(deadlineEffects(r.effects)).toEqual([
      { kind: "cancel_deadline", call_id: "c1", at: T0 + 60_000 },
    ]);
    expect(r.call.task_at).toBeNull();
    // A call that ends at its deadline's task has nothing left to cancel.
    const timedOut = due(c, T0 + 60_000);
    expect(timedOut.call.state).toBe("ended");
    expect(deadlineEffects(timedOut.effects)).toEqual([]);
  });

  it("deadline tasks: one pending per call, scheduled only when needed", () => {
    expect(taskNeeded(null, null, T0)).toBeNull(); // nothing can fall due
    expect(taskNeeded(null, T0 + 5, T0)).toBe(T0 + 5); // none yet
    expect(taskNeeded(T0 + 5, T0 + 9, T0)).toBeNull(); // the pending one runs first
    expect(taskNeeded(T0 + 9, T0 + 5, T0)).toBe(T0 + 5); // a deadline before the pending one
    expect(taskNeeded(T0 - 1, T0 + 5, T0)).toBe(T0 + 5); // the pending one has run (or is lost)
    expect(taskNeeded(T0 + 5, T0 + 5, T0 + 6)).toBeNull(); // already scheduled for this moment
  });

  it("heartbeat timeout in a call: the silent one quits, the other hears notify_timeout", () => {
    const accepted = run(start(), T0 + 1000, (d) => accept(d, "bob", {})).call;
    const alive = run(accepted, T0 + 40_000, (d) => heartbeat(d, "alice")).call;
    // bob last beat at T0+1000 (accept): due at T0+61000; alice at T0+100000
    expect(alive.next_deadline_at).toBe(T0 + 61_000);
    const r = due(alive, T0 + 61_000);
    expect(r.call).toMatchObject({ state: "ended", end_reason: "heartbeat_timeout" });
    expect(r.call.users.bob?.state).toBe("quit");
    expect(r.notices).toEqual([
      { to: "alice", path: "/call/notify_timeout", body: { call_id: "c1", id: "bob" } },
      // the user who quit is told too (ZIM: Quit hears onCallUserStateChanged)
      changed("alice", [["bob", "quit"]]),
      changed("bob", [["bob", "quit"]]),
      // the server ended the call: alice, still in it, is told
      { to: "alice", path: "/call/notify_call_end", body: { call_id: "c1", id: "" } },
    ]);
  });

  it("a call the server ends once ongoing tells every accepted user still in it", () => {
    const c = start(["bob", "carol"], { timeout: 90 });
    const accepted = run(c, T0 + 1000, (d) => accept(d, "bob", {})).call;
    const alive = run(accepted, T0 + 50_000, (d) => heartbeat(d, "alice")).call;
    // bob is silent from T0+1000: he quits at T0+61000; alice stays with carol ringing.
    const r1 = due(alive, T0 + 61_000);
    expect(r1.call.state).toBe("ongoing");
    // carol's invitation times out at T0+90000: alice is alone, the call ends.
    const r2 = due(r1.call, T0 + 90_000);
    expect(r2.call).toMatchObject({ state: "ended", end_reason: "completed" });
    expect(r2.notices).toContainEqual({
      to: "alice",
      path: "/call/notify_call_end",
      body: { call_id: "c1", id: "" },
    });
    // One to one: the heartbeat timeout ends it; the other hears of the timeout and the end.
    const one = run(start(), T0 + 1000, (d) => accept(d, "bob", {})).call;
    const r3 = due(run(one, T0 + 40_000, (d) => heartbeat(d, "alice")).call, T0 + 61_000);
    expect(r3.call.end_reason).toBe("heartbeat_timeout");
    expect(paths(r3.notices).filter((p) => p.startsWith("alice"))).toEqual([
      "alice /call/notify_timeout",
      "alice /call/notify_user_state_changed",
      "alice /call/notify_call_end",
    ]);
  });

  it("applies overdue events in the order they fell due", () => {
    // Invitation due at +60s, caller silent from +0 (due at +60s too): a tie goes to no_answer.
    expect(due(start(), T0 + 500_000).call.end_reason).toBe("no_answer");
    // Caller silent (due +60s) before a 90s invitation: caller_offline.
    expect(due(start(["bob"], { timeout: 90 }), T0 + 500_000).call.end_reason).toBe(
      "caller_offline",
    );
  });
});

describe("users/{uid} docs derived from calls", () => {
  it("follow the call and leave a doc pointing at another call alone", () => {
    const c = start();
    expect(affectedUsers(undefined, c).sort()).toEqual(["alice", "bob"]);
    const bob = reconcileUser(undefined, c, "bob", T0);
    expect(bob).toMatchObject({
      status: "ringing",
      call_id: "c1",
      incoming: {
        call_id: "c1",
        caller: { id: "alice", name: "Alice" },
        type: 1,
        deadline_at: T0 + 60_000,
      },
    });
    expect(reconcileUser(bob!, c, "bob", T0 + 1)).toBeNull(); // no change, no write
    const ended = run(c, T0 + 1, (d) => cancel(d, "alice", {})).call;
    expect(reconcileUser(bob!, ended, "bob", T0 + 1)).toMatchObject({
      status: "idle",
      call_id: null,
    });
    const elsewhere = { ...bob!, call_id: "other" };
    expect(reconcileUser(elsewhere, ended, "bob", T0 + 1)).toBeNull();
    expect(() => reconcileUser(elsewhere, c, "bob", T0 + 1)).toThrow(InvariantError);
  });

  it("a busy user's doc is implied by the call, equal to the doc the call wrote", () => {
    const c = start();
    for (const uid of ["alice", "bob"]) {
      const written = reconcileUser(undefined, c, uid, c.updated_at);
      expect(impliedUserDoc(c, uid)).toEqual(written);
      // Deriving the next doc from the implied one gives what reading the doc would have.
      const accepted = run(c, T0 + 1, (d) => accept(d, "bob", {})).call;
      expect(reconcileUser(impliedUserDoc(c, uid), accepted, uid, T0 + 1)).toEqual(
        reconcileUser(written!, accepted, uid, T0 + 1),
      );
    }
    const ended = run(c, T0 + 1, (d) => cancel(d, "alice", {})).call;
    expect(impliedUserDoc(ended, "bob")).toBeUndefined(); // idle: the doc may be elsewhere
    expect(impliedUserDoc(c, "carol")).toBeUndefined();
  });

  it("a heartbeat changes no user doc", () => {
    const c = run(start(), T0, (d) => accept(d, "bob", {})).call;
    const beat = run(c, T0 + 5, (d) => heartbeat(d, "bob")).call;
    expect(affectedUsers(c, beat)).toEqual([]);
    expect(nextDeadline(beat, cfg)).toBe(T0 + 60_000);
  });
});

describe("next_deadline_at", () => {
  it("a stale stored deadline is corrected even when nothing fell due", () => {
    const stale = { ...start(), next_deadline_at: T0 - 5 };
    const r = due(stale, T0 + 1);
    expect(r.changed).toBe(true);
    expect(r.notices).toEqual([]);
    expect(r.call.next_deadline_at).toBe(T0 + 60_000);
    expect(due(r.call, T0 + 2).changed).toBe(false);
  });
});

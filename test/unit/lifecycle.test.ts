/**
 * One-to-one lifecycles in the pure core: states, end reasons, notifications, user docs.
 * (Deadlines and timeouts: timeouts.test.ts.)
 */
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
import { nextDeadline } from "../../functions/src/core/schedule.js";
import { canMove, USER_TRANSITIONS } from "../../functions/src/core/transitions.js";
import { InvariantError } from "../../functions/src/core/errors.js";
import { USER_STATES } from "../../functions/src/core/types.js";
import { cfg, changed, paths, run, start, T0 } from "./fixtures.js";

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

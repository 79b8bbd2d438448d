/** Group calls and advanced mode in the pure core (docs/protocol.md#group-calls-and-advanced-mode). */
import { describe, expect, it } from "vitest";
import { accept, cancel, decline, end, heartbeat } from "../../functions/src/core/commands.js";
import { invite, join, quit } from "../../functions/src/core/group.js";
import { statusIn } from "../../functions/src/core/projection.js";
import { applyDue } from "../../functions/src/core/timeouts.js";
import type { Call } from "../../functions/src/core/types.js";
import type { Notice } from "../../functions/src/core/notifications.js";
import { run, start, T0 } from "./fixtures.js";

const paths = (ns: Notice[]) => ns.map((n) => `${n.to} ${n.path}`);
const states = (c: Call) => Object.fromEntries(Object.values(c.users).map((u) => [u.id, u.state]));
const refs = (...ids: string[]) => ids.map((id) => ({ id, name: id }));

describe("common mode with three callees", () => {
  it("one accepts, one declines, one times out: the call stays ongoing with the two", () => {
    const c0 = start(["bob", "carol", "dave"], { timeout: 30 });
    const a = run(c0, T0 + 1000, (d) => accept(d, "bob", {}));
    expect(a.call.state).toBe("ongoing");
    // every Inviting and Accepted user hears bob's new state
    expect(
      paths(a.notices)
        .filter((p) => p.endsWith("state_changed"))
        .sort(),
    ).toEqual([
      "alice /call/notify_user_state_changed",
      "bob /call/notify_user_state_changed",
      "carol /call/notify_user_state_changed",
      "dave /call/notify_user_state_changed",
    ]);
    // accept is told to the inviter and the other accepted users only
    expect(paths(a.notices).filter((p) => p.endsWith("call_accept"))).toEqual([
      "alice /call/notify_call_accept",
    ]);
    const b = run(a.call, T0 + 2000, (d) => decline(d, "carol", { type: 1 }));
    expect(
      paths(b.notices)
        .filter((p) => p.endsWith("call_decline"))
        .sort(),
    ).toEqual(["alice /call/notify_call_decline", "bob /call/notify_call_decline"]);
    expect(b.notices.some((n) => n.to === "carol")).toBe(false); // Rejected hears nothing
    const t = run(b.call, T0 + 30_000, (d) => applyDue(d));
    expect(states(t.call)).toEqual({
      alice: "accepted",
      bob: "accepted",
      carol: "rejected",
      dave: "timeout",
    });
    expect(t.call.state).toBe("ongoing");
    expect(paths(t.notices).sort()).toEqual([
      "alice /call/notify_invitees_answered_timeout",
      "alice /call/notify_user_state_changed",
      "bob /call/notify_invitees_answered_timeout",
      "bob /call/notify_user_state_changed",
      "dave /call/notify_invitation_timeout",
    ]);
    const e = run(t.call, T0 + 31_000, (d) => end(d, "bob"));
    expect(e.call).toMatchObject({ state: "ended", end_reason: "completed" });
  });

  it("nobody accepts: the call ends when the last invitee has answered", () => {
    const c0 = start(["bob", "carol"]);
    const a = run(c0, T0 + 1000, (d) => decline(d, "bob", { type: 1 }));
    expect(a.call.state).toBe("ringing");
    const b = run(a.call, T0 + 2000, (d) => decline(d, "carol", { type: 2 }));
    expect(b.call).toMatchObject({ state: "ended", end_reason: "declined" });
  });

  it("the caller cancels two of three: the third still rings", () => {
    const c0 = start(["bob", "carol", "dave"]);
    const r = run(c0, T0 + 1000, (d) => cancel(d, "alice", { callee_ids: ["bob", "carol"] }));
    expect(states(r.call)).toMatchObject({ bob: "canceled", carol: "canceled", dave: "inviting" });
    expect(r.call.state).toBe("ringing");
    expect(paths(r.notices).sort()).toEqual([
      "alice /call/notify_user_state_changed",
      "bob /call/notify_call_canceled",
      "carol /call/notify_call_canceled",
      "dave /call/notify_user_state_changed",
    ]);
    const rest = run(r.call, T0 + 2000, (d) => cancel(d, "alice", {}));
    expect(rest.call).toMatchObject({ state: "ended", end_reason: "canceled" });
  });
});

describe("advanced mode", () => {
  const advanced = (callees = ["bob"]) => start(callees, { mode: "advanced" });
  const ongoing = () => run(advanced(), T0 + 1000, (d) => accept(d, "bob", {})).call;

  it("an accepted user invites up to 10 users in all; one more is call_full", () => {
    let c = ongoing();
    const more = ["u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10"];
    const r = run(
      c,
      T0 + 2000,
      (d) => void invite(d, "bob", { callees: refs(...more), busy: new Set() }),
    );
    expect(r.error).toBeUndefined();
    c = r.call;
    expect(c.user_ids).toHaveLength(10);
    expect(c.users.u3).toMatchObject({ state: "inviting", deadline_at: T0 + 2000 + 60_000 });
    const invited = r.notices.find((n) => n.to === "u3" && n.path === "/call/notify_call_invited");
    expect(invited?.body).toMatchObject({ inviter: { id: "bob", name: "bob" }, mode: "advanced" });
    const full = run(
      c,
      T0 + 3000,
      (d) => void invite(d, "alice", { callees: refs("u11"), busy: new Set() }),
    );
    expect(full.error?.reason).toBe("call_full");
    expect(full.error?.details).toMatchObject({ max_users: 10, users: 10 });
    expect(full.call).toEqual(c);
  });

  it("inviting someone already in the call changes nothing for them", () => {
    const r = run(ongoing(), T0 + 2000, (d) =>
      invite(d, "bob", { callees: refs("alice"), busy: new Set() }),
    );
    expect(r.error?.reason).toBe("already_in_call");
  });

  it("a repeated invite succeeds, notifies nobody twice, and still reports who was already in", () => {
    const first = run(ongoing(), T0 + 2000, (d) => {
      const res = invite(d, "bob", {
        callees: refs("carol", "dave", "alice"),
        busy: new Set(["dave"]),
      });
      expect(res).toEqual({ invited: ["carol"], busy: ["dave"], already: ["alice"] });
    });
    let answer: unknown;
    const again = run(first.call, T0 + 2500, (d) => {
      answer = invite(d, "bob", { callees: refs("carol", "dave", "alice"), busy: new Set() });
    });
    expect(again.error).toBeUndefined();
    expect(answer).toEqual({ invited: ["carol"], busy: ["dave"], already: ["alice"] });
    expect(again.changed).toBe(false);
    expect(again.notices).toEqual([]);
    // The same users named by somebody who did not invite them: already in the call.
    const other = run(first.call, T0 + 2600, (d) => {
      answer = invite(d, "alice", { callees: refs("carol"), busy: new Set() });
    });
    expect(other.error?.reason).toBe("already_in_call");
  });

  it("a busy invitee is declined with type 2 at once", () => {
    const r = run(
      ongoing(),
      T0 + 2000,
      (d) => void invite(d, "bob", { callees: refs("carol"), busy: new Set(["carol"]) }),
    );
    expect(r.call.users.carol).toMatchObject({ state: "rejected", decline_type: 2 });
    expect(r.call.state).toBe("ongoing");
    expect(r.notices.some((n) => n.to === "carol")).toBe(false);
  });

  it("a busy invitee who blocked the inviter rings, undelivered, and is reported invited", () => {
    let answer: unknown;
    const r = run(ongoing(), T0 + 2000, (d) => {
      answer = invite(d, "bob", {
        callees: refs("carol"),
        busy: new Set(["carol"]),
        undelivered: new Set(["carol"]),
      });
    });
    // Reported busy, carol would tell bob she is online (the stress model found this).
    expect(answer).toEqual({ invited: ["carol"], busy: [], already: [] });
    expect(r.call.users.carol).toMatchObject({ state: "inviting", undelivered: true });
    expect(r.notices.some((n) => n.to === "carol")).toBe(false);
  });

  it("join: an invitee who declined joins; everyone in the call hears of it", () => {
    const c0 = advanced(["bob", "carol"]);
    const declined = run(c0, T0 + 1000, (d) => decline(d, "bob", { type: 1 })).call;
    const r = run(declined, T0 + 2000, (d) => join(d, "bob", { device_id: "tablet" }));
    expect(r.call.users.bob).toMatchObject({ state: "accepted", device_id: "tablet" });
    expect(r.call.users.bob?.decline_type).toBeUndefined();
    expect(r.call.state).toBe("ongoing");
    expect(paths(r.notices).sort()).toEqual([
      "alice /call/notify_user_state_changed",
      "bob /call/notify_user_state_changed",
      "carol /call/notify_user_state_changed",
    ]);
  });

  it("join by an accepted user moves the call to that device and tells nobody", () => {
    const c = ongoing();
    const r = run(c, T0 + 2000, (d) => join(d, "bob", { device_id: "laptop" }));
    expect(r.changed).toBe(true);
    expect(r.notices).toEqual([]);
    expect(r.call.version).toBe(c.version);
    expect(r.call.users.bob).toMatchObject({ state: "accepted", device_id: "laptop" });
  });

  it("quit: the others stay; when the last accepted user quits the call ends all_quit", () => {
    const c = run(
      ongoing(),
      T0 + 1500,
      (d) => void invite(d, "bob", { callees: refs("carol"), busy: new Set() }),
    ).call;
    const q1 = run(c, T0 + 2000, (d) => quit(d, "alice", {}));
    expect(q1.call.state).toBe("ongoing");
    expect(paths(q1.notices).sort()).toEqual([
      "alice /call/notify_user_state_changed", // the user who quit
      "bob /call/notify_user_state_changed",
      "carol /call/notify_user_state_changed",
    ]);
    expect(statusIn(q1.call, "alice")).toBe("idle");
    const q2 = run(q1.call, T0 + 3000, (d) => quit(d, "bob", {}));
    expect(q2.call).toMatchObject({ state: "ended", end_reason: "all_quit" });
    expect(q2.call.users.carol?.state).toBe("canceled");
    expect(paths(q2.notices)).toContain("carol /call/notify_call_canceled");
    expect(run(q2.call, T0 + 4000, (d) => quit(d, "bob", {})).changed).toBe(false);
  });

  it("endCall ends it for everyone still in it", () => {
    const c = run(
      ongoing(),
      T0 + 1500,
      (d) => void invite(d, "bob", { callees: refs("carol"), busy: new Set() }),
    ).call;
    const r = run(c, T0 + 2000, (d) => end(d, "alice"));
    expect(r.call).toMatchObject({ state: "ended", end_reason: "completed", ended_by: "alice" });
    expect(paths(r.notices).sort()).toEqual([
      "bob /call/notify_call_end",
      "carol /call/notify_call_end",
    ]);
  });

  it("every invitee declines, times out or is canceled while ringing: the call lives on with the inviter", () => {
    const declined = run(advanced(), T0 + 1000, (d) => decline(d, "bob", { type: 1 }));
    expect(declined.call).toMatchObject({ state: "ringing" });
    expect(statusIn(declined.call, "alice")).toBe("calling");
    const beat = run(advanced(), T0 + 50_000, (d) => heartbeat(d, "alice")).call;
    const timedOut = run(beat, T0 + 60_000, (d) => applyDue(d));
    expect(timedOut.call.users.bob?.state).toBe("timeout");
    expect(timedOut.call.state).toBe("ringing");
    const canceled = run(advanced(), T0 + 1000, (d) => cancel(d, "alice", {}));
    expect(canceled.call.users.bob?.state).toBe("canceled");
    expect(canceled.call.state).toBe("ringing");
    // The inviter may invite somebody else, who answers; or end the call.
    const more = run(
      declined.call,
      T0 + 2000,
      (d) => void invite(d, "alice", { callees: refs("carol"), busy: new Set() }),
    );
    const answered = run(more.call, T0 + 3000, (d) => accept(d, "carol", {}));
    expect(answered.call.state).toBe("ongoing");
    const ended = run(declined.call, T0 + 2000, (d) => end(d, "alice"));
    // Nobody rang when the inviter ended it: the outcome is what the invitee did
    // (docs/protocol.md#call-outcomes); ending while someone rings is a withdrawal.
    expect(ended.call).toMatchObject({ state: "ended", end_reason: "declined" });
    const withdrawn = run(advanced(), T0 + 2000, (d) => end(d, "alice"));
    expect(withdrawn.call).toMatchObject({ state: "ended", end_reason: "canceled" });
    const unanswered = run(timedOut.call, T0 + 61_000, (d) => end(d, "alice"));
    expect(unanswered.call).toMatchObject({ state: "ended", end_reason: "no_answer" });
    // With every callee busy, the call starts and rings nobody; it is not ended.
    expect(start(["bob"], { mode: "advanced", busy: new Set(["bob"]) }).state).toBe("ringing");
  });

  it("the inviter quits while the invitation still rings: the call ends all_quit", () => {
    const r = run(advanced(), T0 + 1000, (d) => quit(d, "alice", {}));
    expect(r.call).toMatchObject({ state: "ended", end_reason: "all_quit" });
    expect(r.call.users.bob?.state).toBe("canceled");
  });
});

/**
 * One-to-one deadlines in the pure core: invitation and heartbeat timeouts, the deadline tasks
 * they need, next_deadline_at. (Lifecycles by command: lifecycle.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { accept, cancel, heartbeat } from "../../functions/src/core/commands.js";
import { Draft } from "../../functions/src/core/draft.js";
import { taskNeeded } from "../../functions/src/core/schedule.js";
import { applyDue } from "../../functions/src/core/timeouts.js";
import type { Effect } from "../../functions/src/core/effects.js";
import { cfg, changed, due, paths, run, start, T0 } from "./fixtures.js";

/** The effects that enqueue or cancel deadline tasks (callbacks aside). */
const deadlineEffects = (effects: Effect[]) =>
  effects.filter((e) => e.kind === "schedule_deadline" || e.kind === "cancel_deadline");

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
    // A call that ends at its deadline's task has nothing left to cancel, and keeps no
    // task_at either: the sweep's due index is task_at (SCALE.md), which it leaves.
    const timedOut = due(c, T0 + 60_000);
    expect(timedOut.call.state).toBe("ended");
    expect(deadlineEffects(timedOut.effects)).toEqual([]);
    expect(timedOut.call.task_at).toBeNull();
    // One stored with a task_at left over (older code) loses it on its next settle.
    const leftover = due({ ...timedOut.call, task_at: T0 + 60_000 }, T0 + 70_000);
    expect(leftover).toMatchObject({ changed: true, notices: [] });
    expect(leftover.call.task_at).toBeNull();
    expect(leftover.effects).toEqual([]);
  });

  it("heartbeats move next_deadline_at but never task_at, until the task runs", () => {
    let c = run(start(), T0 + 1000, (d) => accept(d, "bob", {})).call;
    expect(c.task_at).toBe(T0 + 60_000);
    for (let t = T0 + 20_000; t < T0 + 60_000; t += 20_000) {
      for (const who of ["alice", "bob"]) {
        const r = run(c, t, (d) => heartbeat(d, who));
        expect(deadlineEffects(r.effects)).toEqual([]);
        expect(r.call.task_at).toBe(T0 + 60_000);
        c = r.call;
      }
    }
    expect(c.next_deadline_at).toBe(T0 + 100_000);
    // The task at +60 s finds nothing due and moves task_at once, to the deadline it finds.
    const ran = due(c, T0 + 60_000);
    expect(deadlineEffects(ran.effects)).toEqual([
      { kind: "schedule_deadline", call_id: "c1", at: T0 + 100_000 },
    ]);
    expect(ran.call.task_at).toBe(T0 + 100_000);
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

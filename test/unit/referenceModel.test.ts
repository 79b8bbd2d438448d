/**
 * The reference model (test/support/referenceModel.ts) on hand-written scenarios from the seeds
 * and docs/protocol.md, so that the stress run's oracle is itself checked, independently of
 * the implementation.
 */
import { describe, expect, it } from "vitest";
import {
  command,
  emptyState,
  fire,
  type Answer,
  type Command,
  type MState,
  type Simple,
} from "../support/referenceModel.js";

const T0 = 1_000_000;

function started(
  callees: string[],
  opts: { mode?: "common" | "advanced"; timeout?: number; check?: boolean } = {},
  s: MState = emptyState(),
  caller = "a",
  id = "c1",
): MState {
  const r = command(
    s,
    {
      name: "startCall",
      actor: caller,
      callees,
      mode: opts.mode ?? "common",
      timeout: opts.timeout ?? 60,
      check: opts.check ?? false,
      call_id: id,
    },
    T0,
  );
  expect(r).toEqual({ ok: true, call_id: id });
  return s;
}

const run = (s: MState, name: Simple, actor: string, at = T0 + 1000, id = "c1"): Answer =>
  command(s, { name, actor, call_id: id } as Command, at);

/** The notifications written, as readable lines, and forgets them. */
function heard(s: MState): string[] {
  const out = Object.entries(s.notes).flatMap(([k, n]) => Array.from({ length: n }, () => k));
  s.notes = {};
  return out.map((k) => k.replace(/^(\S+) \S+ \/call\/notify_/, "$1 ")).sort();
}

describe("the reference model", () => {
  it("a one-to-one call: invited, accepted, ended (seed 003: common mode)", () => {
    const s = started(["b"]);
    expect(s.calls.c1?.users.b?.state).toBe("inviting");
    expect(s.docs).toEqual({
      a: { status: "calling", call_id: "c1" },
      b: { status: "ringing", call_id: "c1" },
    });
    expect(heard(s)).toEqual([
      'a user_state_changed {"users":["b:inviting"]}',
      'b call_invited {"caller":"a","callees":["b"],"mode":"common","timeout":60}',
      'b user_state_changed {"users":["b:inviting"]}',
    ]);
    expect(run(s, "acceptCall", "b")).toMatchObject({ ok: true, state: "ongoing" });
    expect(heard(s)).toEqual([
      'a call_accept {"callee_id":"b"}',
      'a user_state_changed {"users":["b:accepted"]}',
      'b user_state_changed {"users":["b:accepted"]}',
    ]);
    expect(s.docs.a?.status).toBe("in_call");
    expect(run(s, "endCall", "a")).toMatchObject({
      ok: true,
      state: "ended",
      end_reason: "completed",
      user_state: "quit",
    });
    // The user who called endCall has the answer; the other is told (no state change told).
    expect(heard(s)).toEqual(['b call_end {"id":"a"}']);
    expect(s.docs).toEqual({
      a: { status: "idle", call_id: null },
      b: { status: "idle", call_id: null },
    });
    // Ending an ended call succeeds and changes nothing; a heartbeat there is call_ended.
    expect(run(s, "endCall", "b")).toMatchObject({ ok: true, end_reason: "completed" });
    expect(run(s, "heartbeat", "a")).toEqual({
      ok: false,
      code: "functions/failed-precondition",
      reason: "call_ended",
    });
  });

  it("the last invitee declining ends a ringing common call `declined`", () => {
    const s = started(["b"]);
    heard(s);
    command(s, { name: "declineCall", actor: "b", call_id: "c1", type: 1 }, T0 + 500);
    expect(s.calls.c1).toMatchObject({ state: "ended", end_reason: "declined" });
    expect(heard(s)).toContain('a call_decline {"callee_id":"b","type":1}');
  });

  it("a busy callee is declined with type 2, and a call of only busy callees ends `busy`", () => {
    const s = started(["b"]);
    started(["b"], {}, s, "c", "c2");
    expect(s.calls.c2).toMatchObject({ state: "ended", end_reason: "busy" });
    expect(s.calls.c2?.users.b).toMatchObject({ state: "rejected", decline_type: 2 });
    expect(heard(s).filter((l) => l.startsWith("c "))).toContain(
      'c call_decline {"callee_id":"b","type":2}',
    );
    // b is still ringing in c1: the busy call left their doc alone.
    expect(s.docs.b).toEqual({ status: "ringing", call_id: "c1" });
    // A busy caller is refused.
    expect(
      command(
        s,
        {
          name: "startCall",
          actor: "b",
          callees: ["d"],
          mode: "common",
          timeout: 60,
          check: false,
          call_id: "c3",
        },
        T0,
      ),
    ).toEqual({ ok: false, code: "functions/failed-precondition", reason: "busy" });
  });

  it("an invitation times out: the invitee still inviting is told, the inviter told who", () => {
    const s = started(["b", "c"], { timeout: 2 });
    command(s, { name: "ackCall", actor: "c", call_id: "c1" }, T0 + 100);
    heard(s);
    expect(fire(s, "c1")).toMatchObject({ kind: "invite", at: T0 + 2000 });
    expect(s.calls.c1).toMatchObject({
      state: "ended",
      end_reason: "no_answer",
      ended_at: T0 + 2000,
    });
    expect(heard(s)).toEqual([
      'a invitees_answered_timeout {"invitees":["b","c"]}',
      'a user_state_changed {"users":["b:timeout","c:timeout"]}',
      "b invitation_timeout {}",
    ]);
  });

  it("the not-received check, then a silent caller: `caller_offline`, invitees canceled", () => {
    const s = started(["b"], { timeout: 600, check: true });
    heard(s);
    expect(fire(s, "c1")).toMatchObject({ kind: "receipt", at: T0 + 5000 });
    expect(s.calls.c1?.users.b?.state).toBe("not_yet_received");
    expect(heard(s)).toEqual([
      'a user_state_changed {"users":["b:not_yet_received"]}',
      'b user_state_changed {"users":["b:not_yet_received"]}',
    ]);
    expect(fire(s, "c1")).toMatchObject({ kind: "heartbeat", at: T0 + 60_000 });
    expect(s.calls.c1).toMatchObject({ state: "ended", end_reason: "caller_offline" });
    expect(heard(s)).toEqual(['b call_canceled {"caller_id":"a"}']);
  });

  it("on a tie, the invitation times out before the caller's heartbeat: `no_answer`", () => {
    const s = started(["b"], { timeout: 60 });
    fire(s, "c1");
    expect(s.calls.c1).toMatchObject({ state: "ended", end_reason: "no_answer" });
  });

  it("advanced mode: quit, join, invite, and the last quit ends `all_quit`", () => {
    const s = started(["b", "c"], { mode: "advanced" });
    expect(run(s, "acceptCall", "b")).toMatchObject({ state: "ongoing" });
    expect(run(s, "quitCall", "a")).toMatchObject({ user_state: "quit", state: "ongoing" });
    heard(s);
    // A user who quit keeps following the call; a ringing one too.
    expect(run(s, "joinCall", "a", T0 + 2000)).toMatchObject({ user_state: "accepted" });
    expect(heard(s)).toEqual([
      'a user_state_changed {"users":["a:accepted"]}',
      'b user_state_changed {"users":["a:accepted"]}',
      'c user_state_changed {"users":["a:accepted"]}',
    ]);
    expect(
      command(
        s,
        { name: "inviteToCall", actor: "b", call_id: "c1", callees: ["d", "c"] },
        T0 + 3000,
      ),
    ).toMatchObject({ ok: true, invited: ["d"], busy: [], already: ["c"] });
    expect(s.calls.c1?.users.d).toMatchObject({ state: "inviting", deadline_at: T0 + 63_000 });
    const told = heard(s);
    expect(told).toContain(
      'd call_invited {"caller":"a","callees":["b","c","d"],"mode":"advanced","timeout":60,"inviter":"b"}',
    );
    // The new invitee's state reaches the audience, the new invitee included.
    for (const x of ["a", "b", "c", "d"]) {
      expect(told).toContain(`${x} user_state_changed {"users":["d:inviting"]}`);
    }
    run(s, "quitCall", "a");
    run(s, "quitCall", "b");
    expect(s.calls.c1).toMatchObject({ state: "ended", end_reason: "all_quit" });
    expect(s.calls.c1?.users.c?.state).toBe("canceled");
    expect(heard(s)).toContain('c call_canceled {"caller_id":"a"}');
    // Quit while quit is a repeat, even on the ended call.
    expect(run(s, "quitCall", "b")).toMatchObject({ ok: true, user_state: "quit" });
  });

  it("refusals from the operations table: role, mode, state", () => {
    const s = started(["b"]);
    const fp = (reason: string) => ({ ok: false, code: "functions/failed-precondition", reason });
    expect(run(s, "acceptCall", "a")).toEqual(fp("not_invited"));
    expect(run(s, "cancelCall", "b")).toEqual(fp("not_inviter"));
    expect(run(s, "quitCall", "a")).toEqual(fp("mode_common"));
    expect(run(s, "heartbeat", "b")).toEqual(fp("not_accepted"));
    expect(run(s, "ackCall", "b")).toMatchObject({ ok: true, user_state: "received" });
    expect(run(s, "ackCall", "b")).toMatchObject({ ok: true, user_state: "received" });
    expect(run(s, "cancelCall", "a")).toMatchObject({ ok: true, end_reason: "canceled" });
    expect(run(s, "acceptCall", "b")).toEqual(fp("call_ended"));
    // On an ended call a refusal by role reads call_ended too (docs/protocol.md#operations).
    expect(run(s, "cancelCall", "b")).toEqual(fp("call_ended"));
    expect(run(s, "ackCall", "a")).toEqual(fp("call_ended"));
  });
});

/**
 * The whole operation table of the core, cell by cell: every command × actor role × actor
 * state, allowed and refused. EXPECTED is written out by hand from ZIM's table
 * ("States and corresponding operations") and docs/protocol.md, so it checks the machine
 * rather than restating it.
 */
import { describe, expect, it } from "vitest";
import { accept, cancel, decline, end, heartbeat } from "../../functions/src/core/commands.js";
import { invite, join, quit } from "../../functions/src/core/group.js";
import { DomainError } from "../../functions/src/core/errors.js";
import { USER_STATES, type Call, type UserState } from "../../functions/src/core/types.js";
import { run, start, T0, withState } from "./fixtures.js";

type Cell = "act" | "done" | string; // a string other than act/done is the refusal reason
type Row = Record<UserState, Cell>;
const row = (over: Partial<Row>, rest: Cell): Row =>
  Object.fromEntries(USER_STATES.map((s) => [s, over[s] ?? rest])) as Row;

const EXPECTED: Record<string, { inviter: Row; invitee: Row }> = {
  accept: {
    inviter: row({}, "not_invited"),
    invitee: row(
      { inviting: "act", received: "act", not_yet_received: "act", accepted: "done" },
      "already_answered",
    ),
  },
  decline: {
    inviter: row({}, "not_invited"),
    invitee: row(
      { inviting: "act", received: "act", not_yet_received: "act", rejected: "done" },
      "already_answered",
    ),
  },
  cancel: {
    inviter: row({ accepted: "act" }, "not_in_call"),
    invitee: row({}, "not_inviter"),
  },
  end: {
    inviter: row({ accepted: "act" }, "not_accepted"),
    invitee: row({ accepted: "act" }, "not_accepted"),
  },
  heartbeat: {
    inviter: row({ accepted: "act" }, "not_accepted"),
    invitee: row({ accepted: "act" }, "not_accepted"),
  },
  // Advanced mode only (below: every one of them is mode_common in a common call).
  invite: {
    inviter: row({ accepted: "act" }, "not_accepted"),
    invitee: row({ accepted: "act" }, "not_accepted"),
  },
  join: {
    // anyone invited may join while the call lives; an accepted user switches devices
    inviter: row({}, "act"),
    invitee: row({}, "act"),
  },
  quit: {
    inviter: row({ accepted: "act", quit: "done" }, "not_accepted"),
    invitee: row({ accepted: "act", quit: "done" }, "not_accepted"),
  },
};

const ADVANCED = new Set(["invite", "join", "quit"]);

const COMMANDS = {
  accept: (actor: string) => (d: Parameters<typeof accept>[0]) => accept(d, actor, {}),
  decline: (actor: string) => (d: Parameters<typeof accept>[0]) => decline(d, actor, { type: 1 }),
  cancel: (actor: string) => (d: Parameters<typeof accept>[0]) => cancel(d, actor, {}),
  end: (actor: string) => (d: Parameters<typeof accept>[0]) => end(d, actor),
  heartbeat: (actor: string) => (d: Parameters<typeof accept>[0]) => heartbeat(d, actor),
  invite: (actor: string) => (d: Parameters<typeof accept>[0]) =>
    void invite(d, actor, { callees: [{ id: "dave", name: "Dave" }], busy: new Set() }),
  join: (actor: string) => (d: Parameters<typeof accept>[0]) =>
    join(d, actor, { device_id: "phone-2" }),
  quit: (actor: string) => (d: Parameters<typeof accept>[0]) => quit(d, actor, {}),
};

/** What "act" must have done, per command. */
function checkActed(command: string, before: Call, after: Call, actor: string): void {
  switch (command) {
    case "accept":
      expect(after.users[actor]?.state).toBe("accepted");
      expect(after.state).toBe("ongoing");
      break;
    case "decline":
      expect(after.users[actor]?.state).toBe("rejected");
      break;
    case "cancel":
      expect(after.users.carol?.state).toBe("canceled");
      break;
    case "end":
      expect(after.state).toBe("ended");
      expect(after.ended_by).toBe(actor);
      break;
    case "heartbeat":
      expect(after.users[actor]?.heartbeat_at).toBe(T0 + 1000);
      expect(after.users[actor]?.heartbeat_at).not.toBe(before.users[actor]?.heartbeat_at);
      break;
    case "invite":
      expect(after.users.dave?.state).toBe("inviting");
      expect(after.user_ids).toContain("dave");
      break;
    case "join":
      expect(after.users[actor]).toMatchObject({ state: "accepted", device_id: "phone-2" });
      break;
    case "quit":
      expect(after.users[actor]?.state).toBe("quit");
      break;
  }
}

describe("operation table: command × role × state on a live call", () => {
  for (const [command, roles] of Object.entries(EXPECTED)) {
    for (const role of ["inviter", "invitee"] as const) {
      for (const state of USER_STATES) {
        const cell = roles[role][state];
        it(`${command} by ${role} in ${state} → ${cell}`, () => {
          const actor = role === "inviter" ? "alice" : "bob";
          const mode = ADVANCED.has(command) ? "advanced" : "common";
          const before = withState(start(["bob", "carol"], { mode }), actor, state);
          const fn = COMMANDS[command as keyof typeof COMMANDS](actor);
          const r = run(before, T0 + 1000, fn);
          if (cell === "act") {
            expect(r.error).toBeUndefined();
            expect(r.changed).toBe(true);
            checkActed(command, before, r.call, actor);
          } else if (cell === "done") {
            expect(r.error).toBeUndefined();
            expect(r.changed).toBe(false);
            expect(r.notices).toEqual([]);
          } else {
            expect(r.error).toBeInstanceOf(DomainError);
            expect(r.error?.kind).toBe("failed_precondition");
            expect(r.error?.reason).toBe(cell);
            expect(r.error?.details).toMatchObject({ user_state: state });
            expect(r.changed).toBe(false);
            expect(r.call).toEqual(before);
          }
        });
      }
    }
  }
});

describe("advanced-mode commands in a common call", () => {
  for (const command of ADVANCED) {
    for (const state of USER_STATES) {
      it(`${command} by the invitee in ${state} → mode_common`, () => {
        const before = withState(start(["bob", "carol"]), "bob", state);
        const r = run(before, T0 + 1000, COMMANDS[command as keyof typeof COMMANDS]("bob"));
        expect(r.error?.kind).toBe("failed_precondition");
        expect(r.error?.reason).toBe("mode_common");
        expect(r.call).toEqual(before);
      });
    }
  }
});

describe("commands by a user who is not in the call", () => {
  for (const command of Object.keys(COMMANDS)) {
    it(`${command} by an outsider → permission_denied not_in_call`, () => {
      const before = start();
      const r = run(before, T0 + 1000, COMMANDS[command as keyof typeof COMMANDS]("mallory"));
      expect(r.error?.kind).toBe("permission_denied");
      expect(r.error?.reason).toBe("not_in_call");
      expect(r.call).toEqual(before);
    });
  }
});

describe("commands on an ended call", () => {
  // Alice called Bob; Bob declined; the call ended.
  const declined = run(start(), T0 + 1000, (d) => decline(d, "bob", { type: 1 })).call;
  const cases: [string, string, Cell][] = [
    ["accept", "bob", "call_ended"],
    ["decline", "bob", "done"], // the decline that ended it, repeated
    ["cancel", "alice", "call_ended"],
    ["cancel", "bob", "call_ended"],
    ["end", "alice", "done"], // already ended: success, nothing written
    ["end", "bob", "done"],
    ["heartbeat", "alice", "call_ended"],
    ["heartbeat", "bob", "call_ended"],
  ];
  it("the fixture ended by decline", () => {
    expect(declined.state).toBe("ended");
    expect(declined.end_reason).toBe("declined");
  });
  for (const [command, actor, cell] of cases) {
    it(`${command} by ${actor} → ${cell}`, () => {
      const r = run(declined, T0 + 2000, COMMANDS[command as keyof typeof COMMANDS](actor));
      if (cell === "done") {
        expect(r.error).toBeUndefined();
        expect(r.changed).toBe(false);
      } else {
        expect(r.error?.reason).toBe(cell);
        expect(r.error?.details).toMatchObject({ call_state: "ended", end_reason: "declined" });
      }
      expect(r.call).toEqual(declined);
    });
  }
  it("cancel repeated after it ended the call is a success that changes nothing", () => {
    const canceled = run(start(), T0 + 1000, (d) => cancel(d, "alice", {})).call;
    expect(canceled.end_reason).toBe("canceled");
    const again = run(canceled, T0 + 2000, (d) => cancel(d, "alice", {}));
    expect(again.error).toBeUndefined();
    expect(again.changed).toBe(false);
  });
});

/**
 * Seed 003's operation table ("States and corresponding operations"), every cell, through
 * the real callables: for each user state and each command, a user in that state (put there
 * by a fixture in an advanced-mode call) issues the command, and it must act, succeed as a
 * harmless repeat, or be refused with the protocol's reason and change nothing.
 */
import { afterAll, describe, expect, it } from "vitest";
import { adminDb, forceState, forget } from "../support/admin.js";
import { users, type Started } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { USER_STATES, type UserState } from "../../functions/src/core/types.js";

afterAll(closeAll);

type Cell = "act" | "done" | string; // any other string: the refusal's reason
const PENDING: UserState[] = ["inviting", "received", "not_yet_received"];
const table = (f: (s: UserState) => Cell) =>
  Object.fromEntries(USER_STATES.map((s) => [s, f(s)])) as Record<UserState, Cell>;

/**
 * Written out from ZIM's operation table and docs/protocol.md#operations. `start` is callInvite by a user in that
 * state of another call (Ringback's busy rule), `cancel` is by the inviter, the rest by an
 * invitee.
 */
const EXPECTED: Record<string, Record<UserState, Cell>> = {
  start: table((s) => (PENDING.includes(s) || s === "accepted" ? "busy" : "act")),
  cancel: table((s) => (s === "accepted" ? "act" : "not_in_call")),
  accept: table((s) =>
    PENDING.includes(s) ? "act" : s === "accepted" ? "done" : "already_answered",
  ),
  decline: table((s) =>
    PENDING.includes(s) ? "act" : s === "rejected" ? "done" : "already_answered",
  ),
  invite: table((s) => (s === "accepted" ? "act" : "not_accepted")),
  quit: table((s) => (s === "accepted" ? "act" : s === "quit" ? "done" : "not_accepted")),
  end: table((s) => (s === "accepted" ? "act" : "not_accepted")),
  join: table(() => "act"),
  heartbeat: table((s) => (s === "accepted" ? "act" : "not_accepted")),
};

// Each state's row has users of its own: a row starts 9 calls, within one user's startCall
// burst (RINGBACK_START_BURST, 10).
let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
const rows = new Map<UserState, readonly TestUser[]>();
async function usersFor(state: UserState): Promise<void> {
  if (!rows.has(state)) rows.set(state, await users("alice", "bob", "carol", "dave"));
  [alice, bob, carol, dave] = rows.get(state) as [TestUser, TestUser, TestUser, TestUser];
}

/** Everything stored about a call and its users' part in it. */
async function snapshotOf(callId: string, uids: string[]): Promise<string> {
  const db = adminDb();
  const call = (await db.collection("calls").doc(callId).get()).data();
  const parts: unknown[] = [call];
  for (const uid of uids) {
    parts.push((await db.collection("users").doc(uid).get()).data() ?? null);
    const notes = await db
      .collection("users")
      .doc(uid)
      .collection("notifications")
      .where("call_id", "==", callId)
      .get();
    parts.push(notes.docs.map((d) => d.id).sort());
  }
  return JSON.stringify(parts);
}

/** Issues `command` as the table's actor; returns the answer's user_state or call_id. */
function issue(command: string, callId: string): Promise<Record<string, unknown>> {
  switch (command) {
    case "start":
      return bob.call("startCall", { callees: [{ id: dave.uid }], type: 1 });
    case "cancel":
      return alice.call("cancelCall", { call_id: callId, callee_id: carol.uid });
    case "accept":
      return bob.call("acceptCall", { call_id: callId });
    case "decline":
      return bob.call("declineCall", { call_id: callId, type: 1 });
    case "invite":
      return bob.call("inviteToCall", { call_id: callId, callees: [{ id: dave.uid }] });
    default:
      return bob.call(`${command}Call`.replace("heartbeatCall", "heartbeat"), { call_id: callId });
  }
}

describe("ZIM's operation table, cell by cell, through the callables", () => {
  for (const [command, row] of Object.entries(EXPECTED)) {
    for (const state of USER_STATES) {
      const cell = row[state];
      it(`${command} by a user in ${state} → ${cell}`, async () => {
        await usersFor(state);
        const actor = command === "cancel" ? alice : bob;
        const { call_id } = await alice.call<Started>("startCall", {
          callees: [{ id: bob.uid }, { id: carol.uid }],
          type: 1,
          mode: "advanced",
        });
        const made: string[] = [call_id];
        try {
          await forceState(call_id, actor.uid, state);
          const everyone = [alice.uid, bob.uid, carol.uid, dave.uid];
          const before = await snapshotOf(call_id, everyone);
          if (cell === "act" || cell === "done") {
            const r = await issue(command, call_id);
            if (command === "start") {
              made.push(r.call_id as string);
              expect(r.error_invitees).toEqual([]);
            } else if (cell === "done") {
              expect(r.user_state).toBe(state);
              expect(await snapshotOf(call_id, everyone)).toBe(before);
            } else {
              const want: Record<string, string> = {
                cancel: "accepted",
                accept: "accepted",
                decline: "rejected",
                invite: "accepted",
                quit: "quit",
                join: "accepted",
                heartbeat: "accepted",
                end: "quit",
              };
              expect(r.user_state).toBe(want[command]);
              expect(await snapshotOf(call_id, everyone)).not.toBe(before);
            }
          } else {
            const e = await expectCallError(issue(command, call_id), "failed-precondition", cell);
            if (command !== "start") expect(e.details).toMatchObject({ user_state: state });
            expect(await snapshotOf(call_id, everyone)).toBe(before);
          }
        } finally {
          await forget(made, [alice.uid, bob.uid, carol.uid, dave.uid]);
        }
      });
    }
  }
});

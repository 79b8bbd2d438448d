/**
 * The stress oracle (test/support/oracle.ts) on a database view built by hand: it must agree
 * with a database that did what the protocol says, and report one that did not.
 */
import { describe, expect, it } from "vitest";
import { Oracle, type View } from "../support/oracle.js";
import { command, emptyState, type Command, type MState } from "../support/referenceModel.js";

const T0 = 1_000_000;

/** What a database that did exactly what model state `s` says would hold. */
function viewOf(s: MState, notes: Record<string, number>, at: number): View {
  const v: View = { calls: {}, docs: structuredClone(s.docs), notes, readStart: at, readEnd: at };
  for (const c of Object.values(s.calls)) {
    v.calls[c.call_id] = {
      state: c.state,
      end_reason: c.end_reason ?? null,
      mode: c.mode,
      timeout: c.timeout,
      caller: c.caller,
      user_ids: [...c.user_ids],
      users: Object.fromEntries(
        Object.values(c.users).map((u) => [
          u.id,
          {
            state: u.state,
            ...(u.decline_type !== undefined ? { decline_type: u.decline_type } : {}),
            ...(u.deadline_at !== undefined ? { deadline_at: u.deadline_at } : {}),
            ...(u.heartbeat_at !== undefined ? { heartbeat_at: u.heartbeat_at } : {}),
          },
        ]),
      ),
      next_deadline_at: null,
    };
  }
  return v;
}

/** An oracle that has seen alice ring bob (advanced mode, 2 s) and agreed with the database. */
function ringing(): { oracle: Oracle; db: MState } {
  const db = emptyState();
  const cmd: Command = {
    name: "startCall",
    actor: "alice",
    callees: ["bob"],
    mode: "advanced",
    timeout: 2,
    check: false,
    call_id: "c1",
  };
  const answer = command(db, cmd, T0);
  const oracle = new Oracle();
  const op = { cmd, answer, sent: T0 - 10, answered: T0 + 10 };
  expect(oracle.compare(viewOf(db, { ...db.notes }, T0 + 20), [op])).toBeUndefined();
  return { oracle, db };
}

describe("the stress oracle", () => {
  it("counts what a time jump's overdue deadlines told as that step's notifications", () => {
    const { oracle, db } = ringing();
    const before = { ...db.notes };
    // The invitation fell due before the jump; the database times bob out (he is told, alice
    // is told) around the jump that moves the call's clocks.
    const jumpAt = T0 + 2_500;
    oracle.jump(jumpAt, 1_000);
    const dbAfter = structuredClone(oracle.state);
    const notes = { ...before };
    for (const [k, n] of Object.entries(dbAfter.notes)) notes[k] = (notes[k] ?? 0) + n;
    expect(Object.keys(dbAfter.notes).some((k) => k.includes("notify_invitation_timeout"))).toBe(
      true,
    );
    expect(oracle.compare(viewOf(dbAfter, notes, jumpAt + 100), [])).toBeUndefined();
  });

  it("reports a database that told nobody of the timeout the jump applied", () => {
    const { oracle, db } = ringing();
    const before = { ...db.notes };
    oracle.jump(T0 + 2_500, 1_000);
    const silent = structuredClone(oracle.state);
    const diff = oracle.compare(viewOf(silent, before, T0 + 2_600), []);
    expect(diff).toMatch(/notify_invitation_timeout \{\}: model 1, database 0/);
  });
});

describe("the stress oracle's search", () => {
  // Found by the 57-minute stress run: the server stamps a command when its transaction attempt
  // begins, before its reads, so a startCall stamped before gina's endCall can still read her
  // idle (it committed after). The database's order is valid; the oracle must find it among
  // a wide step's many orders, and not spend its budget below the stamp order's wrong branch.
  it("finds a serialization in which a command committed after a later-stamped one", () => {
    const T1 = T0 + 10_000;
    const base = emptyState();
    const hello: Command = {
      name: "startCall",
      actor: "hal",
      callees: ["gina"],
      mode: "common",
      timeout: 60,
      check: false,
      call_id: "c0",
    };
    const accept: Command = { name: "acceptCall", actor: "gina", call_id: "c0" };
    const setup = [
      { cmd: hello, answer: command(base, hello, T0), sent: T0 - 10, answered: T0 + 10 },
      { cmd: accept, answer: command(base, accept, T0 + 100), sent: T0 + 90, answered: T0 + 110 },
    ];
    const oracle = new Oracle();
    expect(oracle.compare(viewOf(base, { ...base.notes }, T0 + 200), setup)).toBeUndefined();

    const start: Command = {
      name: "startCall",
      actor: "alice",
      callees: ["gina", "bob"],
      mode: "common",
      timeout: 60,
      check: false,
      call_id: "c1",
    };
    const end: Command = { name: "endCall", actor: "gina", call_id: "c0" };
    // Twelve independent calls stamped between the two: the orders to search.
    const fillers: Command[] = Array.from({ length: 12 }, (_, i) => ({
      name: "startCall",
      actor: `f${i}`,
      callees: [`g${i}`],
      mode: "common",
      timeout: 60,
      check: false,
      call_id: `k${i}`,
    }));
    // The database's order: gina's endCall, the fillers, then alice's startCall (stamped first).
    const db = structuredClone(base);
    db.notes = {};
    const endAnswer = command(db, end, T1 + 300);
    const fillerAnswers = fillers.map((f, i) => command(db, f, T1 + 100 + i * 10));
    const startAnswer = command(db, start, T1 + 50);
    expect(db.calls.c1?.users.gina?.state).toBe("inviting");
    const notes = { ...base.notes };
    for (const [k, n] of Object.entries(db.notes)) notes[k] = (notes[k] ?? 0) + n;
    const ops = [
      { cmd: start, answer: startAnswer, sent: T1, answered: T1 + 2_000 },
      { cmd: end, answer: endAnswer, sent: T1, answered: T1 + 300 },
      ...fillers.map((cmd, i) => ({
        cmd,
        answer: fillerAnswers[i] as (typeof fillerAnswers)[number],
        sent: T1,
        answered: T1 + 1_000 + i,
      })),
    ];
    expect(oracle.compare(viewOf(db, notes, T1 + 2_100), ops)).toBeUndefined();
    expect(oracle.state.calls.c1?.users.gina?.state).toBe("inviting");
    // The stamp order's first choice (alice before gina's endCall) dies at its first step.
    expect(oracle.maxNodes).toBeLessThan(200);
  });
});

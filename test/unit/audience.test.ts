/**
 * Who hears what, cell by cell: ZIM's table of states and callbacks
 * (docs/protocol.md#state-change-audience), checked against the core. One advanced call holds
 * a receiver in every state; each column's event happens once, and the receivers that hear
 * it must be exactly the table's, with the differences the docs list.
 */
import { describe, expect, it } from "vitest";
import { cancel, decline, end } from "../../functions/src/core/commands.js";
import { invite } from "../../functions/src/core/group.js";
import type { Notice, NotificationPath } from "../../functions/src/core/notifications.js";
import { applyDue } from "../../functions/src/core/timeouts.js";
import type { Call, UserState } from "../../functions/src/core/types.js";
import { run, start, T0, withState } from "./fixtures.js";

/** The receiver in each state, named after it; `sub` is the user whose event is told. */
const RECEIVERS: Record<string, UserState> = {
  inv: "inviting",
  rec: "received",
  nyr: "not_yet_received",
  acc: "accepted",
  rej: "rejected",
  can: "canceled",
  tmo: "timeout",
  qui: "quit",
};

function table(): Call {
  let c = start([...Object.keys(RECEIVERS), "sub"], { mode: "advanced" });
  for (const [uid, state] of Object.entries(RECEIVERS)) c = withState(c, uid, state);
  return c;
}

/** Which receivers (by state) a change told on `path`. */
function heard(notices: Notice[], path: NotificationPath): string[] {
  const to = new Set(notices.filter((n) => n.path === path).map((n) => n.to));
  return Object.keys(RECEIVERS).filter((uid) => to.has(uid));
}

describe("the callback table, per state of the receiver", () => {
  it("invitation received: only the new invitee (Inviting)", () => {
    const c = table(); // room for one more: without `sub`
    delete c.users.sub;
    c.user_ids = c.user_ids.filter((id) => id !== "sub");
    const r = run(c, T0 + 1000, (d) => {
      invite(d, "acc", { callees: [{ id: "new", name: "new" }], busy: new Set() });
    });
    expect(
      r.notices.filter((n) => n.path === "/call/notify_call_invited").map((n) => n.to),
    ).toEqual(["new"]);
  });

  it("invitation timed out: Inviting only; Received and NotYetReceived hear none", () => {
    const c = table();
    for (const uid of ["inv", "rec", "nyr", "sub"]) c.users[uid]!.deadline_at = T0 + 30_000;
    const r = run(c, T0 + 30_000, (d) => applyDue(d));
    expect(r.call.users.rec?.state).toBe("timeout");
    expect(heard(r.notices, "/call/notify_invitation_timeout")).toEqual(["inv"]);
  });

  it("invitation canceled: Inviting, Received (and NotYetReceived)", () => {
    const r = run(table(), T0 + 1000, (d) => cancel(d, "alice", {}));
    expect(heard(r.notices, "/call/notify_call_canceled")).toEqual(["inv", "rec", "nyr"]);
  });

  it("call ended: Inviting, Received (and NotYetReceived), Accepted but the ender", () => {
    const r = run(table(), T0 + 1000, (d) => end(d, "alice"));
    expect(heard(r.notices, "/call/notify_call_end")).toEqual(["inv", "rec", "nyr", "acc"]);
  });

  it("user state changed: Inviting, Received, NotYetReceived, Accepted and Quit", () => {
    const r = run(table(), T0 + 1000, (d) => decline(d, "sub", { type: 1 }));
    expect(heard(r.notices, "/call/notify_user_state_changed")).toEqual([
      "inv",
      "rec",
      "nyr",
      "acc",
      "qui",
    ]);
  });
});

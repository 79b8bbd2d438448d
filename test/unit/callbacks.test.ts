/**
 * Server-to-server callback events, derived in the core from each committed change
 * (docs/protocol.md#server-to-server-callbacks): which events, with which fields, in which
 * order, and none for a change that tells nobody.
 */
import { describe, expect, it } from "vitest";
import type { CallbackEvent } from "../../functions/src/core/callbacks.js";
import { accept, cancel, decline, end, heartbeat } from "../../functions/src/core/commands.js";
import { startCall } from "../../functions/src/core/create.js";
import type { Effect } from "../../functions/src/core/effects.js";
import { invite, join, quit } from "../../functions/src/core/group.js";
import { applyDue } from "../../functions/src/core/timeouts.js";
import { cfg, run, start, T0 } from "./fixtures.js";

type Callback = Extract<Effect, { kind: "callback" }>;
const callbacks = (effects: Effect[]) =>
  effects.filter((e): e is Callback => e.kind === "callback");
const events = (effects: Effect[]): CallbackEvent[] => callbacks(effects).map((e) => e.event);

function started(callees: string[], over: { loggedOut?: string[]; busy?: string[] } = {}) {
  return startCall(
    { type: 1, mode: "common", timeout: 30, extended_data: "ctx", not_received_check: false },
    {
      call_id: "c1",
      caller: { id: "alice", name: "Alice" },
      callees: callees.map((id) => ({ id, name: id })),
      busy: new Set(over.busy ?? []),
      loggedOut: new Set(over.loggedOut ?? []),
      request_hash: "h",
      error_invitees: [],
    },
    T0 + 1500,
    cfg,
  );
}

describe("call_create", () => {
  it("has exactly the seed's fields: logged-in invitees, times in whole seconds", () => {
    const o = started(["bob", "carol", "dave"], { loggedOut: ["carol"] });
    expect(events(o.effects)).toEqual([
      {
        event: "call_create",
        call_id: "c1",
        fields: {
          user_ids: ["bob", "dave"],
          create_time: Math.floor((T0 + 1500) / 1000),
          payload: "ctx",
          caller: "alice",
          timeout: 30,
        },
      },
    ]);
  });

  it("is not sent when every invitee is logged out", () => {
    expect(events(started(["bob", "carol"], { loggedOut: ["bob", "carol"] }).effects)).toEqual([]);
  });

  it("a busy callee is a call_reject of type 2; all busy ends the call busy", () => {
    expect(events(started(["bob"], { busy: ["bob"] }).effects).map((e) => e.event)).toEqual([
      "call_create",
      "call_reject",
      "call_end",
    ]);
    const [, reject, ended] = events(started(["bob"], { busy: ["bob"] }).effects);
    expect(reject?.fields).toEqual({ user_id: "bob", extend_data: "", type: 2 });
    expect(ended?.fields).toEqual({ user_id: "", end_reason: "busy" });
  });
});

describe("one-to-one", () => {
  it("accept, then end: call_accept with the answer's data, call_end by who ended it", () => {
    const a = run(start(), T0 + 1000, (d) => accept(d, "bob", { extended_data: "hi" }));
    expect(events(a.effects)).toEqual([
      { event: "call_accept", call_id: "c1", fields: { user_id: "bob", extend_data: "hi" } },
    ]);
    const e = run(a.call, T0 + 2000, (d) => end(d, "bob"));
    expect(events(e.effects)).toEqual([
      { event: "call_end", call_id: "c1", fields: { user_id: "bob", end_reason: "completed" } },
    ]);
  });

  it("decline: call_reject with its type, then call_end declined by the server", () => {
    const r = run(start(), T0 + 1000, (d) => decline(d, "bob", { type: 1, extended_data: "no" }));
    expect(events(r.effects)).toEqual([
      {
        event: "call_reject",
        call_id: "c1",
        fields: { user_id: "bob", extend_data: "no", type: 1 },
      },
      { event: "call_end", call_id: "c1", fields: { user_id: "", end_reason: "declined" } },
    ]);
  });

  it("cancel: call_cancel by the inviter naming the canceled, then call_end", () => {
    const r = run(start(["bob", "carol"]), T0 + 1000, (d) => cancel(d, "alice", {}));
    expect(events(r.effects)).toEqual([
      {
        event: "call_cancel",
        call_id: "c1",
        fields: { user_id: "alice", user_ids: ["bob", "carol"], extend_data: "" },
      },
      { event: "call_end", call_id: "c1", fields: { user_id: "alice", end_reason: "canceled" } },
    ]);
  });

  it("invitation timeout: call_timeout of those who did not answer, then call_end no_answer", () => {
    const r = run(start(["bob", "carol"]), T0 + 60_000, (d) => applyDue(d));
    expect(events(r.effects)).toEqual([
      { event: "call_timeout", call_id: "c1", fields: { user_ids: ["bob", "carol"] } },
      { event: "call_end", call_id: "c1", fields: { user_id: "", end_reason: "no_answer" } },
    ]);
  });

  it("a silent caller while ringing: call_cancel by the caller, then call_end caller_offline", () => {
    const long = start(["bob"], { timeout: 600 });
    const r = run(long, T0 + 60_000, (d) => applyDue(d));
    expect(events(r.effects).map((e) => [e.event, e.fields])).toEqual([
      ["call_cancel", { user_id: "alice", user_ids: ["bob"], extend_data: "" }],
      ["call_end", { user_id: "", end_reason: "caller_offline" }],
    ]);
  });

  it("nothing for a heartbeat, a refused command or a repeat", () => {
    const c = start();
    expect(events(run(c, T0 + 1000, (d) => heartbeat(d, "alice")).effects)).toEqual([]);
    const refused = run(c, T0 + 1000, (d) => accept(d, "alice", {}));
    expect(refused.error?.reason).toBe("not_invited");
    expect(events(refused.effects)).toEqual([]);
    const a = run(c, T0 + 1000, (d) => accept(d, "bob", {}));
    expect(events(run(a.call, T0 + 1500, (d) => accept(d, "bob", {})).effects)).toEqual([]);
  });
});

describe("advanced mode", () => {
  it("invite, join after a decline, quit: call_invite, call_join, call_quit", () => {
    const c = start(["bob", "carol"], { mode: "advanced" });
    const a = run(c, T0 + 1000, (d) => accept(d, "bob", {}));
    const d1 = run(a.call, T0 + 2000, (d) => decline(d, "carol", { type: 1 }));
    const inv = run(d1.call, T0 + 3000, (d) =>
      invite(d, "bob", { callees: [{ id: "dave", name: "dave" }], busy: new Set(["dave"]) }),
    );
    expect(events(inv.effects).map((e) => [e.event, e.fields])).toEqual([
      ["call_invite", { user_id: "bob", user_ids: ["dave"] }],
      ["call_reject", { user_id: "dave", extend_data: "", type: 2 }],
    ]);
    const j = run(inv.call, T0 + 4000, (d) => join(d, "carol", {}));
    expect(events(j.effects).map((e) => [e.event, e.fields])).toEqual([
      ["call_join", { user_id: "carol" }],
    ]);
    const q = run(j.call, T0 + 5000, (d) => quit(d, "alice", {}));
    expect(events(q.effects).map((e) => [e.event, e.fields])).toEqual([
      ["call_quit", { user_id: "alice" }],
    ]);
  });
});

describe("event ids", () => {
  it("are stable per change and distinct across a call; seq grows", () => {
    const o = started(["bob"]);
    const a = run(o.call, T0 + 2000, (d) => accept(d, "bob", {}));
    const e = run(a.call, T0 + 3000, (d) => end(d, "alice"));
    const all = [o, a, e].flatMap((x) => callbacks(x.effects));
    expect(new Set(all.map((x) => x.event_id)).size).toBe(all.length);
    const seqs = all.map((x) => x.seq);
    expect(seqs).toEqual([...seqs].sort((p, q) => p - q));
    expect(all.map((x) => x.at)).toEqual([T0 + 1500, T0 + 2000, T0 + 3000]);
    // The same change decided again (a retried transaction) yields the same ids.
    const again = run(a.call, T0 + 3000, (d) => end(d, "alice"));
    expect(callbacks(again.effects).map((x) => x.event_id)).toEqual(
      callbacks(e.effects).map((x) => x.event_id),
    );
  });
});

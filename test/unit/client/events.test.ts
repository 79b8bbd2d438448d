import { describe, expect, it } from "vitest";
import { toRingbackError, RingbackError } from "../../../client/src/errors.js";
import { PATHS, parseNotification } from "../../../client/src/events.js";
import { readCallDoc, readUserDoc } from "../../../client/src/state.js";
import { note } from "./fakes.js";

describe("notification bodies become typed events", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      "notify_call_invited",
      {
        caller: { id: "a", name: "Alice" },
        callees: [{ id: "b", name: "Bob" }],
        type: 1,
        mode: "advanced",
        timeout: 30,
        deadline_at: "2026-01-01T00:00:30.000Z",
        extended_data: "x",
      },
      {
        caller: { id: "a", name: "Alice" },
        callees: [{ id: "b", name: "Bob" }],
        inviter: null,
        type: 1,
        mode: "advanced",
        timeout: 30,
        deadlineAt: new Date("2026-01-01T00:00:30.000Z"),
        extendedData: "x",
      },
    ],
    ["notify_call_canceled", { caller_id: "a" }, { callerId: "a" }],
    ["notify_call_accept", { callee_id: "b", extended_data: "" }, { userId: "b" }],
    ["notify_call_decline", { callee_id: "b", type: 2 }, { userId: "b", busy: true, type: 2 }],
    ["notify_call_end", { id: "b" }, { by: "b", reason: "completed" }],
    ["notify_timeout", { id: "b" }, { userId: "b" }],
    ["notify_invitation_timeout", {}, {}],
    ["notify_invitees_answered_timeout", { invitees: ["b", "c"] }, { userIds: ["b", "c"] }],
    [
      "notify_user_state_changed",
      { users: [{ id: "b", state: "received", extended_data: "" }] },
      { users: [{ id: "b", state: "received", extendedData: "" }] },
    ],
  ];
  it.each(cases)("%s", (path, body, expected) => {
    const n = note(path, "c", 1000, { call_id: "c", ...body });
    const parsed = parseNotification(n, "completed");
    expect(parsed?.name).toBe(PATHS[`/call/${path}` as keyof typeof PATHS]);
    expect(parsed?.event).toMatchObject({ callId: "c", eventId: n.id, ...expected });
  });

  it("ignores a path it does not know", () => {
    expect(parseNotification(note("notify_something_new", "c", 1))).toBeNull();
  });
});

describe("documents become views", () => {
  it("a missing user doc is idle", () => {
    expect(readUserDoc(undefined)).toEqual({
      status: "idle",
      callId: null,
      incoming: null,
      deviceId: null,
    });
  });

  it("a call: users in user_ids order, connectedAt from the first accept", () => {
    const ts = (ms: number) => ({ toDate: () => new Date(ms) });
    const v = readCallDoc("c", {
      caller: { id: "a", name: "Alice" },
      state: "ongoing",
      user_ids: ["a", "b", "c"],
      users: {
        c: { name: "Carol", state: "accepted", updated_at: ts(3000) },
        a: { name: "Alice", state: "accepted", updated_at: ts(1000) },
        b: { name: "Bob", state: "accepted", updated_at: ts(2000) },
      },
      heartbeat_interval: 7,
    });
    expect(v.users.map((u) => u.id)).toEqual(["a", "b", "c"]);
    expect(v.connectedAt?.getTime()).toBe(2000);
    expect(v.heartbeatInterval).toBe(7);
  });
});

describe("errors", () => {
  it("carry the server's code, reason and details", () => {
    const e = toRingbackError({
      code: "functions/failed-precondition",
      message: "busy",
      details: { reason: "busy", call_state: "ringing" },
    });
    expect(e).toBeInstanceOf(RingbackError);
    expect(e).toMatchObject({ code: "failed-precondition", reason: "busy" });
    expect(e.details.call_state).toBe("ringing");
  });

  it("fall back to the code as reason", () => {
    expect(toRingbackError({ code: "functions/unavailable", message: "x" }).reason).toBe(
      "unavailable",
    );
    expect(toRingbackError("boom")).toMatchObject({ code: "unknown" });
  });
});

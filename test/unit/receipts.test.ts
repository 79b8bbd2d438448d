/** Delivery receipts in the core: ackCall and the not-received check (docs/protocol.md#devices-and-delivery-receipts). */
import { describe, expect, it } from "vitest";
import { accept, ack } from "../../functions/src/core/commands.js";
import { nextDeadline } from "../../functions/src/core/schedule.js";
import { applyDue } from "../../functions/src/core/timeouts.js";
import type { Notice } from "../../functions/src/core/notifications.js";
import { cfg, run, start, T0 } from "./fixtures.js";

const paths = (ns: Notice[]) => ns.map((n) => `${n.to} ${n.path}`);
const checked = () => start(["bob", "carol"], { not_received_check: true });

describe("not-received check", () => {
  it("an invitee with no ack 5 s after the invitation becomes not_yet_received", () => {
    const c = checked();
    expect(c.users.bob?.receipt_deadline_at).toBe(T0 + 5000);
    expect(nextDeadline(c, cfg)).toBe(T0 + 5000);
    expect(run(c, T0 + 4999, (d) => applyDue(d)).changed).toBe(false);
    const r = run(c, T0 + 5000, (d) => applyDue(d));
    expect(r.call.users.bob?.state).toBe("not_yet_received");
    expect(r.call.users.carol?.state).toBe("not_yet_received");
    expect(r.call.state).toBe("ringing");
    // Everyone Inviting, NotYetReceived or Accepted hears it, in one notice each.
    expect(paths(r.notices).sort()).toEqual([
      "alice /call/notify_user_state_changed",
      "bob /call/notify_user_state_changed",
      "carol /call/notify_user_state_changed",
    ]);
    expect((r.notices[0]?.body as { users?: unknown }).users).toEqual([
      { id: "bob", state: "not_yet_received", extended_data: "" },
      { id: "carol", state: "not_yet_received", extended_data: "" },
    ]);
    expect(r.call.next_deadline_at).toBe(T0 + 60_000);
  });

  it("without the check nothing happens at 5 s", () => {
    const c = start(["bob"]);
    expect(c.users.bob?.receipt_deadline_at).toBeUndefined();
    expect(run(c, T0 + 5000, (d) => applyDue(d)).changed).toBe(false);
  });
});

describe("ackCall", () => {
  it("inviting → received, the others are told, the check no longer fires", () => {
    const r = run(checked(), T0 + 1000, (d) => ack(d, "bob", { device_id: "phone" }));
    expect(r.call.users.bob).toMatchObject({ state: "received", device_id: "phone" });
    expect(paths(r.notices).sort()).toEqual([
      "alice /call/notify_user_state_changed",
      "bob /call/notify_user_state_changed",
      "carol /call/notify_user_state_changed",
    ]);
    const later = run(r.call, T0 + 5000, (d) => applyDue(d));
    expect(later.call.users.bob?.state).toBe("received");
    expect(later.call.users.carol?.state).toBe("not_yet_received");
  });

  it("not_yet_received → received on a late ack", () => {
    const nyr = run(checked(), T0 + 5000, (d) => applyDue(d)).call;
    const r = run(nyr, T0 + 6000, (d) => ack(d, "bob", {}));
    expect(r.call.users.bob?.state).toBe("received");
  });

  it("an ack after the answer, or repeated, succeeds and changes nothing", () => {
    const acked = run(checked(), T0 + 1000, (d) => ack(d, "bob", {})).call;
    const again = run(acked, T0 + 1100, (d) => ack(d, "bob", {}));
    expect(again.error).toBeUndefined();
    expect(again.changed).toBe(false);
    const accepted = run(acked, T0 + 1200, (d) => accept(d, "bob", {})).call;
    const late = run(accepted, T0 + 1300, (d) => ack(d, "bob", {}));
    expect(late.error).toBeUndefined();
    expect(late.changed).toBe(false);
  });

  it("the inviter cannot ack; an outsider is not in the call", () => {
    expect(run(checked(), T0, (d) => ack(d, "alice", {})).error?.reason).toBe("not_invited");
    expect(run(checked(), T0, (d) => ack(d, "mallory", {})).error?.reason).toBe("not_in_call");
  });
});

/**
 * The reference model's block lists (test/support/referenceBlocks.ts) on hand-written
 * scenarios from docs/protocol.md#who-may-ring-whom, so that the stress run's oracle is
 * itself checked: a callee who blocked the inviter is named in the call and rings out for
 * the others, and hears nothing, stays idle and is a stranger to the call's commands.
 */
import { describe, expect, it } from "vitest";
import { command, emptyState, fire, type Command, type MState } from "../support/referenceModel.js";
import { sharedUserIds } from "../support/referenceBlocks.js";

const T0 = 1_000_000;

const block = (s: MState, actor: string, user_id: string, name = "blockUser") =>
  command(s, { name, actor, call_id: "", user_id } as Command, T0);

const start = (s: MState, caller: string, callees: string[], id = "c1", mode = "common") =>
  command(
    s,
    {
      name: "startCall",
      actor: caller,
      callees,
      mode,
      timeout: 60,
      check: false,
      call_id: id,
    } as Command,
    T0,
  );

/** The notifications written, as `to path` lines, and forgets them. */
function heard(s: MState): string[] {
  const out = Object.keys(s.notes).map((k) =>
    k.replace(/^(\S+) \S+ \/call\/notify_(\S+).*/, "$1 $2"),
  );
  s.notes = {};
  return out.sort();
}

describe("reference model: block lists", () => {
  it("a callee who blocked the caller rings out for the caller and hears nothing", () => {
    const s = emptyState();
    expect(block(s, "b", "a")).toEqual({ ok: true, call_id: "" });
    expect(start(s, "a", ["b", "c"])).toEqual({ ok: true, call_id: "c1" });
    const c = s.calls.c1 as NonNullable<MState["calls"][string]>;
    expect(c.users.b?.state).toBe("inviting");
    expect(sharedUserIds(c)).toEqual(["a", "c"]);
    expect(s.docs.b).toBeUndefined();
    expect(heard(s).filter((n) => n.startsWith("b "))).toEqual([]);
    // c declines: b still rings for a, so the common call goes on until b's deadline.
    command(s, { name: "declineCall", actor: "c", call_id: "c1", type: 1 }, T0 + 1000);
    expect(c.state).toBe("ringing");
    expect(command(s, { name: "acceptCall", actor: "b", call_id: "c1" }, T0 + 2000)).toEqual({
      ok: false,
      code: "functions/permission-denied",
      reason: "not_in_call",
    });
    heard(s);
    fire(s, "c1");
    expect(c.users.b?.state).toBe("timeout");
    expect(c.state).toBe("ended");
    expect(heard(s)).toEqual(["a invitees_answered_timeout", "a user_state_changed"]);
  });

  it("a busy callee who blocked the caller is not declined as busy", () => {
    const s = emptyState();
    start(s, "x", ["b"], "c0");
    block(s, "b", "a");
    start(s, "a", ["b"]);
    expect(s.calls.c1?.users.b?.state).toBe("inviting");
    expect(s.docs.b).toEqual({ status: "ringing", call_id: "c0" });
  });

  it("unblocking rings the callee again; a block by the caller changes nothing", () => {
    const s = emptyState();
    block(s, "b", "a");
    block(s, "b", "a", "unblockUser");
    block(s, "a", "b");
    expect(s.blocked).toEqual({ a: ["b"] });
    start(s, "a", ["b"]);
    expect(s.calls.c1?.undelivered).toBeUndefined();
    expect(s.docs.b).toEqual({ status: "ringing", call_id: "c1" });
  });

  it("inviteToCall screens against the inviter, not the call's caller", () => {
    const s = emptyState();
    block(s, "d", "c");
    start(s, "a", ["c"], "c1", "advanced");
    command(s, { name: "acceptCall", actor: "c", call_id: "c1" }, T0 + 1000);
    heard(s);
    const r = command(s, { name: "inviteToCall", actor: "c", call_id: "c1", callees: ["d"] }, T0);
    expect(r).toMatchObject({ ok: true, invited: ["d"], busy: [] });
    expect(s.calls.c1?.undelivered).toEqual(["d"]);
    expect(heard(s).filter((n) => n.startsWith("d "))).toEqual([]);
  });
});

/** Busy on the server: atomic with the check, and crossing invitations settle to one call. */
import { afterAll, describe, expect, it } from "vitest";
import { adminDb, callDoc } from "../support/admin.js";
import { connect, ring, users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";

afterAll(closeAll);

describe("busy", () => {
  it("an invitation to a ringing user is declined at once with type 2", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const first = await ring(alice, bob);
    const second = await carol.call<{ call_id: string }>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
    });
    const note = await carol.waitNotification("/call/notify_call_decline", second.call_id);
    expect(note.body).toEqual({
      call_id: second.call_id,
      callee_id: bob.uid,
      type: 2,
      extended_data: "",
    });
    expect(await callDoc(second.call_id)).toMatchObject({
      state: "ended",
      end_reason: "busy",
      users: { [bob.uid]: { state: "rejected", decline_type: 2 } },
    });
    // Bob never heard of Carol's call and still rings for Alice; Carol is idle.
    expect(bob.notifications(second.call_id)).toEqual([]);
    expect(bob.state()).toMatchObject({ status: "ringing", call_id: first.call_id });
    await carol.waitState((s) => s?.status === "idle" || s === undefined, "carol idle");
  });

  it("a user in a call is busy; a busy user cannot start a call", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const call_id = await connect(alice, bob);
    const third = await carol.call<{ call_id: string }>("startCall", {
      callees: [{ id: alice.uid }],
      type: 2,
    });
    expect(await callDoc(third.call_id)).toMatchObject({ end_reason: "busy" });
    const err = await expectCallError(
      bob.call("startCall", { callees: [{ id: carol.uid }], type: 1 }),
      "failed-precondition",
      "busy",
    );
    expect(err.details).toMatchObject({ call_id, status: "in_call" });
    expect(err.message).toContain(
      `You are in a call (status in_call, call ${call_id}): end or quit that call before you start a call.`,
    );
  });

  it("starting a call while your phone rings is refused with the status ringing", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ring(alice, bob);
    const err = await expectCallError(
      bob.call("startCall", { callees: [{ id: carol.uid }], type: 1 }),
      "failed-precondition",
      "busy",
    );
    expect(err.details).toMatchObject({ call_id, status: "ringing" });
    expect(err.message).toContain(
      `Your phone is ringing (status ringing, call ${call_id}): accept or decline that call ` +
        "before you start a call.",
    );
    const again = await expectCallError(
      alice.call("startCall", { callees: [{ id: carol.uid }], type: 1 }),
      "failed-precondition",
      "busy",
    );
    expect(again.details).toMatchObject({ call_id, status: "calling" });
    expect(again.message).toContain("cancel that call");
  });
});

describe("crossing invitations", () => {
  it("A calls B while B calls A: one call rings, the other command is refused busy", async () => {
    for (let round = 0; round < 4; round++) {
      const [a, b] = await users("a", "b");
      const results = await Promise.allSettled([
        a.call<{ call_id: string }>("startCall", { callees: [{ id: b.uid }], type: 1 }),
        b.call<{ call_id: string }>("startCall", { callees: [{ id: a.uid }], type: 1 }),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r) => r.status === "rejected");
      // Whichever commits first makes its caller "calling" and its callee "ringing": the
      // other caller is then busy, so its command is refused. Exactly one call rings.
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(1);
      for (const r of refused) {
        expect((r.reason as { code: string }).code).toBe("functions/failed-precondition");
        expect((r.reason as { details: { reason: string } }).details.reason).toBe("busy");
      }
      const calls = await adminDb()
        .collection("calls")
        .where("user_ids", "array-contains", a.uid)
        .get();
      const live = calls.docs.filter((d) => d.data().state !== "ended");
      expect(live).toHaveLength(1);
      const liveCall = live[0]!.data();
      const caller = liveCall.caller.id as string;
      const callee = caller === a.uid ? b : a;
      const callerUser = caller === a.uid ? a : b;
      await callee.waitState(
        (s) => s?.status === "ringing" && s.call_id === liveCall.call_id,
        "ringing",
      );
      await callerUser.waitState(
        (s) => s?.status === "calling" && s.call_id === liveCall.call_id,
        "calling",
      );
    }
  });
});

describe("stale user docs", () => {
  it("a user doc pointing at a call that no longer exists does not make the user busy", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const first = await ring(alice, bob);
    await adminDb().collection("calls").doc(first.call_id).delete(); // e.g. removed by an operator
    const second = await carol.call<{ call_id: string }>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
    });
    await bob.waitState(
      (s) => s?.status === "ringing" && s.call_id === second.call_id,
      "rings again",
    );
    expect(await callDoc(second.call_id)).toMatchObject({ state: "ringing" });
  });
});

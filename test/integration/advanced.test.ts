/**
 * Advanced mode end to end (docs/protocol.md#group-calls-and-advanced-mode): invite during the
 * call up to the limit and one past it, join, switch devices, quit, end; through the
 * firebase web SDK as several signed-in users.
 */
import { afterAll, describe, expect, it } from "vitest";
import { callDoc, footprint, privateOf } from "../support/admin.js";
import { pathsOf, ring, ringAll, users } from "../support/calls.js";
import { closeAll, newUser, type TestUser } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";

afterAll(closeAll);

const STATE_CHANGED = "/call/notify_user_state_changed";

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until `user`'s notifications for `callId` stop changing; returns how many. */
async function quietCount(user: TestUser, callId: string): Promise<number> {
  let last = -1;
  for (let i = 0; i < 20; i++) {
    const n = user.notifications(callId).length;
    if (n === last) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 100));
  }
  return user.notifications(callId).length;
}

describe("advanced mode", () => {
  it("invites during the call up to 10 users; one more is call_full and changes nothing", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob, { mode: "advanced" });
    await bob.call("acceptCall", { call_id });
    const guests = await Promise.all(
      ["g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10"].map((l) => newUser(l)),
    );
    const r = await bob.call<{ invited: string[]; busy: string[]; error_invitees: unknown[] }>(
      "inviteToCall",
      { call_id, callees: guests.map((g) => ({ id: g.uid })) },
    );
    expect(r).toMatchObject({
      state: "ongoing",
      user_state: "accepted",
      busy: [],
      error_invitees: [],
    });
    expect(r.invited.sort()).toEqual(guests.map((g) => g.uid).sort());
    await Promise.all(
      guests.map((g) =>
        g.waitState((s) => s?.status === "ringing" && s.call_id === call_id, "ringing"),
      ),
    );
    const invited = await guests[0]!.waitNotification("/call/notify_call_invited", call_id);
    expect(invited.body).toMatchObject({
      caller: { id: alice.uid },
      inviter: { id: bob.uid },
      mode: "advanced",
    });
    expect((invited.body.callees as unknown[]).length).toBe(9);
    const call = await callDoc(call_id);
    expect(call.user_ids).toHaveLength(10);

    const eleventh = await newUser("g11");
    const before = await footprint([alice.uid, eleventh.uid]);
    const full = await expectCallError(
      alice.call("inviteToCall", { call_id, callees: [{ id: eleventh.uid }] }),
      "failed-precondition",
      "call_full",
    );
    expect(full.details).toMatchObject({ max_users: 10, users: 10 });
    expect(await footprint([alice.uid, eleventh.uid])).toBe(before);
    expect(eleventh.state()).toBeUndefined();

    // A guest accepts; everyone still in the call hears it as a state change.
    await guests[1]!.call("acceptCall", { call_id });
    await eventually(
      () =>
        alice
          .notifications(call_id)
          .some(
            (n) =>
              n.path === STATE_CHANGED &&
              JSON.stringify(n.body.users).includes(`"${guests[1]!.uid}","state":"accepted"`),
          ),
      "alice hearing the guest accept",
    );
  });

  it("two invites racing for the last place: exactly one gets it", async () => {
    const [alice, bob, ...rest] = await users(
      "alice",
      "bob",
      "u3",
      "u4",
      "u5",
      "u6",
      "u7",
      "u8",
      "u9",
      "x",
      "y",
    );
    const [x, y] = rest.splice(-2) as [TestUser, TestUser];
    const { call_id } = await ring(alice, bob, { mode: "advanced" });
    await bob.call("acceptCall", { call_id });
    await alice.call("inviteToCall", { call_id, callees: rest.map((u) => ({ id: u.uid })) });
    expect((await callDoc(call_id)).user_ids).toHaveLength(9);
    const results = await Promise.allSettled([
      alice.call("inviteToCall", { call_id, callees: [{ id: x.uid }] }),
      bob.call("inviteToCall", { call_id, callees: [{ id: y.uid }] }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason.details.reason).toBe("call_full");
    const call = await callDoc(call_id);
    expect(call.user_ids).toHaveLength(10);
    expect([x.uid, y.uid].filter((u) => call.user_ids.includes(u))).toHaveLength(1);
  });

  it("join after a decline; a device switch tells nobody; quit; the last quit ends all_quit", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ringAll(alice, [bob, carol], { mode: "advanced" });
    await bob.call("acceptCall", { call_id, device_id: "bob-phone" });
    await carol.call("declineCall", { call_id, type: 1 });
    await carol.waitState((s) => s?.status === "idle", "carol idle");

    // Carol changes her mind and joins.
    const joined = await carol.call("joinCall", { call_id, device_id: "carol-laptop" });
    expect(joined).toMatchObject({ state: "ongoing", user_state: "accepted" });
    await carol.waitState(
      (s) => s?.status === "in_call" && s.device_id === "carol-laptop",
      "joined",
    );
    await eventually(
      () => bob.notifications(call_id).filter((n) => n.path === STATE_CHANGED).length >= 4,
      "bob hearing carol join",
    );
    const last = bob.notifications(call_id).at(-1);
    expect(last?.body.users).toEqual([{ id: carol.uid, state: "accepted", extended_data: "" }]);

    // Bob moves the call to his laptop: his own doc follows, nobody else is told.
    const counts = await Promise.all([alice, bob, carol].map((u) => quietCount(u, call_id)));
    const moved = await bob.call("joinCall", { call_id, device_id: "bob-laptop" });
    expect(moved).toMatchObject({ state: "ongoing", user_state: "accepted" });
    await bob.waitState((s) => s?.device_id === "bob-laptop", "bob on his laptop");
    expect((await privateOf(call_id))?.users[bob.uid].device_id).toBe("bob-laptop");
    expect(await Promise.all([alice, bob, carol].map((u) => quietCount(u, call_id)))).toEqual(
      counts,
    );

    // Alice quits: the call goes on; she and those still in it hear of it.
    await alice.call("quitCall", { call_id });
    await alice.waitState((s) => s?.status === "idle", "alice idle");
    await eventually(
      () => pathsOf(carol, call_id).filter((p) => p === STATE_CHANGED).length >= 4,
      "carol told",
    );
    expect(carol.notifications(call_id).at(-1)?.body.users).toEqual([
      { id: alice.uid, state: "quit", extended_data: "" },
    ]);
    expect((await callDoc(call_id)).state).toBe("ongoing");
    // Repeating the quit succeeds and changes nothing.
    await expect(alice.call("quitCall", { call_id })).resolves.toMatchObject({
      user_state: "quit",
    });

    await bob.call("quitCall", { call_id });
    const ended = await carol.call("quitCall", { call_id, extended_data: "bye" });
    expect(ended).toMatchObject({ state: "ended", end_reason: "all_quit", user_state: "quit" });
    await carol.waitState((s) => s?.status === "idle", "carol idle");
  });

  it("endCall by any accepted user ends it for everyone still in it", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ringAll(alice, [bob, carol], { mode: "advanced" });
    await bob.call("acceptCall", { call_id });
    const r = await bob.call("endCall", { call_id });
    expect(r).toMatchObject({ state: "ended", end_reason: "completed" });
    await alice.waitNotification("/call/notify_call_end", call_id);
    await carol.waitNotification("/call/notify_call_end", call_id);
    await Promise.all(
      [alice, bob, carol].map((u) => u.waitState((s) => s?.status === "idle", "idle")),
    );
  });

  it("joinCall while another call holds you is refused busy and changes nothing", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ring(alice, bob, { mode: "advanced" });
    await bob.call("acceptCall", { call_id });
    await bob.call("quitCall", { call_id });
    await ring(carol, bob); // bob now rings in carol's call
    const before = await footprint([alice.uid, bob.uid]);
    await expectCallError(bob.call("joinCall", { call_id }), "failed-precondition", "busy");
    expect(await footprint([alice.uid, bob.uid])).toBe(before);
  });

  it("inviteToCall, joinCall and quitCall refuse a common-mode call with mode_common", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ring(alice, bob);
    await bob.call("acceptCall", { call_id });
    const before = await footprint([alice.uid, bob.uid, carol.uid]);
    await expectCallError(
      alice.call("inviteToCall", { call_id, callees: [{ id: carol.uid }] }),
      "failed-precondition",
      "mode_common",
    );
    await expectCallError(bob.call("joinCall", { call_id }), "failed-precondition", "mode_common");
    await expectCallError(bob.call("quitCall", { call_id }), "failed-precondition", "mode_common");
    expect(await footprint([alice.uid, bob.uid, carol.uid])).toBe(before);
  });

  it("an invitee who is busy elsewhere is declined with type 2 at once", async () => {
    const [alice, bob, carol, erin] = await users("alice", "bob", "carol", "erin");
    const { call_id } = await ring(alice, bob, { mode: "advanced" });
    await bob.call("acceptCall", { call_id });
    await ring(erin, carol);
    const r = await alice.call<{ busy: string[]; invited: string[] }>("inviteToCall", {
      call_id,
      callees: [{ id: carol.uid }],
    });
    expect(r).toMatchObject({ busy: [carol.uid], invited: [] });
    expect((await callDoc(call_id)).users[carol.uid]).toMatchObject({
      state: "rejected",
      decline_type: 2,
    });
    const told = await bob.waitNotification("/call/notify_call_decline", call_id);
    expect(told.body).toMatchObject({ callee_id: carol.uid, type: 2 });
  });

  it("a retried inviteToCall succeeds and rings nobody twice; the inviter alone keeps the call", async () => {
    const [alice, bob, carol, dave] = await users("alice", "bob", "carol", "dave");
    const { call_id } = await ring(alice, bob, { mode: "advanced" });
    // The only invitee declines: the inviter is still accepted, the call lives on.
    await expect(bob.call("declineCall", { call_id, type: 1 })).resolves.toMatchObject({
      state: "ringing",
    });
    const ask = { call_id, callees: [{ id: carol.uid }, { id: bob.uid }] };
    const first = await alice.call("inviteToCall", ask);
    expect(first).toMatchObject({ invited: [carol.uid], already: [bob.uid], busy: [] });
    await carol.waitNotification("/call/notify_call_invited", call_id);
    const before = await footprint([alice.uid, bob.uid, carol.uid]);
    // The client retries: the same answer, nothing written, nobody told twice.
    await expect(alice.call("inviteToCall", ask)).resolves.toMatchObject({
      invited: [carol.uid],
      already: [bob.uid],
      busy: [],
    });
    expect(await footprint([alice.uid, bob.uid, carol.uid])).toBe(before);
    // Naming a user who is in the call for another reason (the caller) reports them in `already`.
    await carol.call("acceptCall", { call_id });
    await expect(
      carol.call("inviteToCall", { call_id, callees: [{ id: alice.uid }, { id: dave.uid }] }),
    ).resolves.toMatchObject({ invited: [dave.uid], already: [alice.uid] });
  });
});

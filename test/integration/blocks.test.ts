/**
 * Who may ring whom, tried as an attacker would (docs/protocol.md#who-may-ring-whom): a user
 * who blocked the caller is not rung. Nothing reaches them (no state, no notification, no
 * call they can read or list), and the caller's view is that of a callee who never answers.
 */
import { afterAll, describe, expect, it } from "vitest";
import { doc, getDoc } from "firebase/firestore";
import { adminDb, callDoc, footprint, privateOf, triggerSweep } from "../support/admin.js";
import { pathsOf, ring, users } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { callPath, userPath } from "../support/names.js";

afterAll(closeAll);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Started {
  call_id: string;
  error_invitees: unknown[];
}

const start = (caller: TestUser, callees: TestUser[], extra: Record<string, unknown> = {}) =>
  caller.call<Started>("startCall", {
    callees: callees.map((c) => ({ id: c.uid })),
    type: 1,
    ...extra,
  });

/** Waits past `timeout` seconds and lets the sweep apply the deadline. */
async function pastDeadline(timeout: number): Promise<void> {
  await sleep(timeout * 1000 + 300);
  await triggerSweep();
}

describe("blockUser / unblockUser", () => {
  it("keep users/{uid}/blocked/{other}, repeatable, readable by the owner only", async () => {
    const [alice, bob, eve] = await users("alice", "bob", "eve");
    expect(await bob.call("blockUser", { user_id: alice.uid })).toEqual({
      user_id: alice.uid,
      blocked: true,
    });
    expect(await bob.call("blockUser", { user_id: alice.uid })).toMatchObject({ blocked: true });
    const path = `${userPath(bob.uid)}/blocked/${alice.uid}`;
    expect((await getDoc(doc(bob.db, path))).exists()).toBe(true);
    await expect(getDoc(doc(eve.db, path))).rejects.toMatchObject({ code: "permission-denied" });
    await expect(getDoc(doc(alice.db, path))).rejects.toMatchObject({ code: "permission-denied" });
    expect(await bob.call("unblockUser", { user_id: alice.uid })).toEqual({
      user_id: alice.uid,
      blocked: false,
    });
    expect((await adminDb().doc(path).get()).exists).toBe(false);
    expect(await bob.call("unblockUser", { user_id: alice.uid })).toMatchObject({
      blocked: false,
    });
  });

  it("refuses yourself, a bad id and another user's list, writing nothing", async () => {
    const [alice, bob] = await users("alice", "bob");
    const before = await footprint([alice.uid, bob.uid]);
    await expectCallError(
      alice.call("blockUser", { user_id: alice.uid }),
      "invalid-argument",
      "invalid_argument",
    );
    await expectCallError(alice.call("blockUser", { user_id: "a/b" }), "invalid-argument");
    await expectCallError(alice.call("blockUser", {}), "invalid-argument");
    await expectCallError(
      alice.call("blockUser", { id: bob.uid, user_id: "x" }),
      "permission-denied",
      "impersonation",
    );
    expect(await footprint([alice.uid, bob.uid])).toBe(before);
    const blocked = await adminDb().collectionGroup("blocked").get();
    expect(blocked.docs.filter((d) => d.ref.path.includes(alice.uid))).toEqual([]);
  });
});

describe("an invitation to a user who blocked the caller", () => {
  it("leaves no trace on the callee's side; the caller sees no answer", async () => {
    const [alice, bob] = await users("alice", "bob");
    await bob.call("blockUser", { user_id: alice.uid });
    const bobBefore = await footprint([bob.uid]);
    const started = await start(alice, [bob], { timeout: 2, extended_data: "hello" });
    expect(started.error_invitees).toEqual([]);
    // The caller's view: bob rings, like any invitee.
    const call = await callDoc(started.call_id);
    expect(call.users[bob.uid]).toMatchObject({ state: "inviting" });
    expect(call.users[bob.uid].undelivered).toBeUndefined();
    expect(call.state).toBe("ringing");
    expect((await getDoc(doc(alice.db, callPath(started.call_id)))).exists()).toBe(true);
    expect(alice.state()).toMatchObject({ status: "calling", call_id: started.call_id });
    // The callee's side: nothing; they cannot read, list or act on the call.
    expect(await footprint([bob.uid])).toBe(bobBefore);
    await expect(getDoc(doc(bob.db, callPath(started.call_id)))).rejects.toMatchObject({
      code: "permission-denied",
    });
    expect((await bob.call<{ calls: unknown[] }>("listCalls", {})).calls).toEqual([]);
    for (const [name, body] of [
      ["acceptCall", {}],
      ["declineCall", { type: 1 }],
      ["ackCall", {}],
    ] as const) {
      await expectCallError(
        bob.call(name, { call_id: started.call_id, ...body }),
        "permission-denied",
        "not_in_call",
      );
    }
    // Meanwhile bob is not busy: someone else reaches him.
    const [carol] = await users("carol");
    const other = await ring(carol, bob);
    await carol.call("cancelCall", { call_id: other.call_id });
    const bobMid = await footprint([bob.uid]);
    // At the deadline the caller hears what a silent callee would make them hear.
    await pastDeadline(2);
    await alice.waitNotification("/call/notify_invitees_answered_timeout", started.call_id);
    const ended = await callDoc(started.call_id);
    expect(ended).toMatchObject({ state: "ended", end_reason: "no_answer" });
    expect(ended.users[bob.uid].state).toBe("timeout");
    expect(ended.user_ids).toEqual([alice.uid]);
    expect(pathsOf(alice, started.call_id)).toContain("/call/notify_invitees_answered_timeout");
    expect(bob.notifications(started.call_id)).toEqual([]);
    expect(await footprint([bob.uid])).toBe(bobMid);
    // The caller's list shows bob as any invitee who did not answer.
    const listed = await alice.call<{ calls: { call_id: string; users: unknown[] }[] }>(
      "listCalls",
      {},
    );
    const entry = listed.calls.find((c) => c.call_id === started.call_id);
    expect(entry?.users).toContainEqual(expect.objectContaining({ id: bob.uid, state: "timeout" }));
    // The server alone knows why.
    expect((await privateOf(started.call_id))?.users[bob.uid]).toMatchObject({
      undelivered: true,
    });
  });

  it("is indistinguishable, to the caller, from a callee who never answers", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    await bob.call("blockUser", { user_id: alice.uid });
    const blocked = await start(alice, [bob], { timeout: 2 });
    await pastDeadline(2);
    await alice.waitNotification("/call/notify_invitees_answered_timeout", blocked.call_id);
    const silent = await start(alice, [carol], { timeout: 2 });
    await carol.waitState((s) => s?.status === "ringing", "carol rings");
    await pastDeadline(2);
    await alice.waitNotification("/call/notify_invitees_answered_timeout", silent.call_id);
    await sleep(500); // anything else the caller would hear
    const shape = (n: { path: string; body: Record<string, unknown> }[], callee: string) =>
      JSON.stringify(n.map((x) => [x.path, Object.keys(x.body).sort()])).replaceAll(callee, "X");
    expect(shape(alice.notifications(blocked.call_id), bob.uid)).toBe(
      shape(alice.notifications(silent.call_id), carol.uid),
    );
    const strip = (c: FirebaseFirestore.DocumentData, callee: string) =>
      Object.keys(c.users[callee] as object).sort();
    expect(strip(await callDoc(blocked.call_id), bob.uid)).toEqual(
      strip(await callDoc(silent.call_id), carol.uid),
    );
  });

  it("is never declined as busy (that would tell the caller they are online)", async () => {
    const [alice, bob, dave] = await users("alice", "bob", "dave");
    await bob.call("blockUser", { user_id: alice.uid });
    await ring(dave, bob); // bob is busy: ringing for dave
    const started = await start(alice, [bob], { timeout: 5 });
    expect((await callDoc(started.call_id)).users[bob.uid].state).toBe("inviting");
    expect(bob.state()).toMatchObject({ status: "ringing" });
    expect(bob.state()?.call_id).not.toBe(started.call_id);
    await alice.call("cancelCall", { call_id: started.call_id });
  });

  it("keeps a group call ringing for the blocked invitee, as for a silent one", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    await bob.call("blockUser", { user_id: alice.uid });
    const started = await start(alice, [bob, carol], { timeout: 5 });
    await carol.waitState((s) => s?.status === "ringing", "carol rings");
    const invited = await carol.waitNotification("/call/notify_call_invited", started.call_id);
    expect(invited.body.callees).toEqual([
      { id: bob.uid, name: expect.any(String) as string },
      { id: carol.uid, name: expect.any(String) as string },
    ]);
    await carol.call("declineCall", { call_id: started.call_id, type: 1 });
    expect((await callDoc(started.call_id)).state).toBe("ringing");
    await alice.call("cancelCall", { call_id: started.call_id });
    const ended = await callDoc(started.call_id);
    expect(ended.users[bob.uid].state).toBe("canceled");
    expect(bob.notifications(started.call_id)).toEqual([]);
    expect(bob.state()?.status ?? "idle").toBe("idle");
  });

  it("in advanced mode, inviteToCall leaves out who blocked the inviter", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ring(alice, carol, { mode: "advanced" });
    await carol.call("acceptCall", { call_id });
    await bob.call("blockUser", { user_id: carol.uid });
    const bobBefore = await footprint([bob.uid]);
    const r = await carol.call<{ invited: string[]; busy: string[] }>("inviteToCall", {
      call_id,
      callees: [{ id: bob.uid }],
    });
    expect(r).toMatchObject({ invited: [bob.uid], busy: [] });
    expect((await callDoc(call_id)).users[bob.uid].state).toBe("inviting");
    expect(await footprint([bob.uid])).toBe(bobBefore);
    await expectCallError(bob.call("joinCall", { call_id }), "permission-denied", "not_in_call");
    await alice.call("endCall", { call_id });
    expect(await footprint([bob.uid])).toBe(bobBefore);
  });

  it("rings again once unblocked", async () => {
    const [alice, bob] = await users("alice", "bob");
    await bob.call("blockUser", { user_id: alice.uid });
    await bob.call("unblockUser", { user_id: alice.uid });
    const { call_id } = await ring(alice, bob);
    await alice.call("cancelCall", { call_id });
  });
});

/** Who may do what: unauthenticated, impersonation, not a participant. Nothing is written. */
import { afterAll, describe, expect, it } from "vitest";
import { httpsCallable } from "firebase/functions";
import { doc, getDoc } from "firebase/firestore";
import { getApps } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { Timestamp } from "firebase-admin/firestore";
import { adminDb, callDoc, footprint } from "../support/admin.js";
import { ring, ringAll, users } from "../support/calls.js";
import { anonymousFunctions, closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";
import { callPath } from "../support/names.js";

afterAll(closeAll);

const COMMANDS = [
  "cancelCall",
  "acceptCall",
  "declineCall",
  "endCall",
  "heartbeat",
  "inviteToCall",
  "joinCall",
  "quitCall",
] as const;
/** A valid body for `name` on `call_id`; `someone` is an existing user to invite. */
const bodyFor = (name: string, call_id: string, someone: string): Record<string, unknown> =>
  name === "declineCall"
    ? { call_id, type: 1 }
    : name === "inviteToCall"
      ? { call_id, callees: [{ id: someone }] }
      : { call_id };

describe("authentication", () => {
  // Through the functions emulator (the framework's door, not the handler): each function's
  // first request there starts its worker, a few seconds each on a busy 2-core machine.
  it("every callable refuses an unauthenticated caller", { timeout: 180_000 }, async () => {
    const fns = anonymousFunctions();
    for (const name of ["startCall", "listCalls", ...COMMANDS]) {
      await expectCallError(
        httpsCallable(fns, name)({ call_id: "x" }),
        "unauthenticated",
        "unauthenticated",
      );
    }
  });
});

describe("impersonation", () => {
  it("a body naming another user as the actor is permission-denied and changes nothing", async () => {
    const [alice, bob, eve] = await users("alice", "bob", "eve");
    const { call_id } = await ring(alice, bob);
    const before = await footprint([alice.uid, bob.uid, eve.uid]);
    await expectCallError(
      eve.call("startCall", {
        caller: { id: alice.uid, name: "A" },
        callees: [{ id: bob.uid }],
        type: 1,
      }),
      "permission-denied",
      "impersonation",
    );
    for (const name of COMMANDS) {
      await expectCallError(
        eve.call(name, { ...bodyFor(name, call_id, alice.uid), id: bob.uid }),
        "permission-denied",
        "impersonation",
      );
    }
    await expectCallError(
      bob.call("declineCall", { call_id, type: 1, caller_id: eve.uid }),
      "permission-denied",
      "caller_mismatch",
    );
    expect(await footprint([alice.uid, bob.uid, eve.uid])).toBe(before);
  });
});

describe("not a participant", () => {
  it("every command on someone else's call is permission-denied not_in_call", async () => {
    const [alice, bob, eve] = await users("alice", "bob", "eve");
    const { call_id } = await ring(alice, bob);
    const before = await footprint([alice.uid, bob.uid, eve.uid]);
    for (const name of COMMANDS) {
      await expectCallError(
        eve.call(name, bodyFor(name, call_id, alice.uid)),
        "permission-denied",
        "not_in_call",
      );
    }
    expect(await footprint([alice.uid, bob.uid, eve.uid])).toBe(before);
    // Replaying another user's call id to start a call is no hijack: eve's call gets an id
    // scoped to her (docs/protocol.md#startcall), and alice's call is untouched.
    const aliceCall = await callDoc(call_id);
    const eves = await eve.call<{ call_id: string }>("startCall", {
      call_id,
      callees: [{ id: bob.uid }],
      type: 1,
    });
    expect(eves.call_id).not.toBe(call_id);
    expect(eves.call_id.startsWith(`${call_id}.`)).toBe(true);
    expect(await callDoc(call_id)).toEqual(aliceCall);
  });

  it("a command on a call that does not exist is not-found", async () => {
    const [eve, frank] = await users("eve", "frank");
    for (const name of COMMANDS) {
      await expectCallError(
        eve.call(name, bodyFor(name, "no-such-call", frank.uid)),
        "not-found",
        "call_not_found",
      );
    }
  });
});

describe("abuse limits", () => {
  it("startCall past a user's burst is resource-exhausted rate_limited and writes nothing", async () => {
    const [mallory, bob] = await users("mallory", "bob");
    const { call_id } = await mallory.call<{ call_id: string }>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
    });
    await mallory.call("cancelCall", { call_id });
    // The start was charged to Mallory's bucket. The rest of the burst is spent here at once,
    // as ten quick starts would spend it: a loop of real starts refills while it runs (30 a
    // minute), so how far it gets would depend on this machine's speed.
    const bucket = adminDb().collection(PRIVATE_COLLECTIONS.rateLimits).doc(mallory.uid);
    expect((await bucket.get()).get("tokens")).toBeCloseTo(9, 0);
    await bucket.set({ tokens: 0, updated_at: Timestamp.now() });
    const before = await footprint([mallory.uid, bob.uid]);
    const e = await expectCallError(
      mallory.call("startCall", { callees: [{ id: bob.uid }], type: 1 }),
      "resource-exhausted",
      "rate_limited",
    );
    expect(e.details?.retry_after_ms).toBeGreaterThan(0);
    expect(await footprint([mallory.uid, bob.uid])).toBe(before);
    // Bob is not limited by Mallory's bucket.
    await expect(
      bob.call("startCall", { callees: [{ id: mallory.uid }], type: 1 }),
    ).resolves.toMatchObject({ error_invitees: [] });
  });
});

describe("names others see", () => {
  it("come from the Auth profile's display name; a body name only stands in when there is none", async () => {
    const [alice, bob] = await users("alice", "bob"); // display names "alice" and "bob"
    adminDb(); // the admin app
    const app = getApps().find((a) => a.name === "admin-tests");
    const nameless = await getAuth(app).createUser({}); // no display name
    const s = await alice.call<{ call_id: string }>("startCall", {
      caller: { id: alice.uid, name: "Bank Support" },
      callees: [
        { id: bob.uid, name: "Not Bob" },
        { id: nameless.uid, name: "Carol" },
      ],
      type: 1,
    });
    const invited = await bob.waitNotification("/call/notify_call_invited", s.call_id);
    expect(invited.body).toMatchObject({
      caller: { id: alice.uid, name: "alice" },
      callees: [
        { id: bob.uid, name: "bob" },
        { id: nameless.uid, name: "Carol" },
      ],
    });
    const call = await callDoc(s.call_id);
    expect(call.caller.name).toBe("alice");
    expect(call.users[alice.uid].name).toBe("alice");
    expect(bob.state()?.incoming?.caller).toEqual({ id: alice.uid, name: "alice" });
  });

  it("are normalized wherever they show: no bidi override, control or zero-width tricks", async () => {
    const [mallory, bob] = await users("mallory", "bob");
    adminDb();
    const auth = getAuth(getApps().find((a) => a.name === "admin-tests"));
    // A profile name anyone can set for themselves (updateProfile), built to mislead.
    const hostile = "\u202Etroppus\u202C Bank\u200B\u0000\n\t  Support\uFEFF" + "x".repeat(100);
    await auth.updateUser(mallory.uid, { displayName: hostile });
    const blank = await auth.createUser({ displayName: "\u200B\u202E \u2066" }); // nothing visible
    const s = await mallory.call<{ call_id: string }>("startCall", {
      callees: [
        { id: bob.uid, name: "ignored" },
        { id: blank.uid, name: "Bank\u0007 Support" }, // the profile's name wins, even blank
      ],
      type: 1,
    });
    const want = ("troppus Bank Support" + "x".repeat(100)).slice(0, 64);
    const invited = await bob.waitNotification("/call/notify_call_invited", s.call_id);
    expect(invited.body).toMatchObject({
      caller: { id: mallory.uid, name: want },
      callees: [
        { id: bob.uid, name: "bob" },
        { id: blank.uid, name: "Unknown" },
      ],
    });
    const call = await callDoc(s.call_id);
    expect(call.caller.name).toBe(want);
    expect(call.users[blank.uid].name).toBe("Unknown");
    expect(bob.state()?.incoming?.caller).toEqual({ id: mallory.uid, name: want });
    // A profile with no name: the request's, normalized the same way.
    const nameless = await auth.createUser({});
    const [carol] = await users("carol");
    await auth.updateUser(carol.uid, { displayName: null });
    await carol.relisten(async () => undefined); // a fresh ID token, without the name claim
    const t = await carol.call<{ call_id: string }>("startCall", {
      caller: { id: carol.uid, name: "\u202E\u0000  " },
      callees: [{ id: nameless.uid, name: " Dr.\u00A0\u00A0Who\u0301 " }],
      type: 1,
    });
    const second = await callDoc(t.call_id);
    expect(second.caller.name).toBe("Unknown");
    expect(second.users[nameless.uid].name).toBe("Dr. Who\u0301".normalize("NFC"));
  });
});

describe("call data", () => {
  it("an acceptor's extended_data reaches only the users in the call, never the doc or lists", async () => {
    const [alice, bob, carol, dave] = await users("alice", "bob", "carol", "dave");
    const { call_id } = await ringAll(alice, [bob, carol, dave], { mode: "advanced" });
    await bob.call("acceptCall", { call_id, extended_data: "bob-secret" });
    // In the call (alice): the accept and the state change carry it.
    const accept = await alice.waitNotification("/call/notify_call_accept", call_id);
    expect(accept.body.extended_data).toBe("bob-secret");
    // Still ringing (carol): she hears bob accepted, not what he sent.
    await carol.until(
      () => carol.notifications(call_id).some((n) => n.path.endsWith("user_state_changed")),
      "carol hears of bob",
    );
    const seenByCarol = JSON.stringify(carol.notifications(call_id));
    expect(seenByCarol).not.toContain("bob-secret");
    expect(seenByCarol).toContain(bob.uid);
    // Carol accepts later: she did not get it then, and gets nothing of it now.
    await carol.call("acceptCall", { call_id, extended_data: "carol-secret" });
    await bob.waitNotification("/call/notify_call_accept", call_id);
    expect(JSON.stringify(carol.notifications(call_id))).not.toContain("bob-secret");
    expect(JSON.stringify(dave.notifications(call_id))).not.toMatch(/bob-secret|carol-secret/);
    // The doc every participant reads, and listCalls, hold nobody's.
    for (const who of [alice, carol, dave]) {
      const seen = JSON.stringify((await getDoc(doc(who.db, callPath(call_id)))).data());
      expect(seen).not.toMatch(/bob-secret|carol-secret/);
      const listed = JSON.stringify(await who.call("listCalls", {}));
      expect(listed).not.toMatch(/bob-secret|carol-secret/);
    }
    await alice.call("endCall", { call_id });
  });
});

describe("what a participant can read", () => {
  it("the shared call doc holds no other user's device, request hash or start answer", async () => {
    const [alice, bob] = await users("alice", "bob");
    const s = await alice.call<{ call_id: string }>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
    });
    await bob.call("ackCall", { call_id: s.call_id, device_id: "bob-phone" });
    await bob.call("acceptCall", { call_id: s.call_id, device_id: "bob-phone" });
    // Alice, a participant, reads the call through her client SDK (the rules apply).
    const seen = (await getDoc(doc(alice.db, "calls", s.call_id))).data()!;
    expect(seen.state).toBe("ongoing");
    for (const field of ["start_request_hash", "start_result"]) {
      expect(seen[field], field).toBeUndefined();
    }
    for (const u of Object.values(seen.users as Record<string, Record<string, unknown>>)) {
      expect(u.device_id, `${String(u.id)}.device_id`).toBeUndefined();
      expect(u.logged_out, `${String(u.id)}.logged_out`).toBeUndefined();
    }
    // The server's private part of the call is out of every client's reach.
    await expect(
      getDoc(doc(alice.db, "calls", s.call_id, "private", "server")),
    ).rejects.toMatchObject({ code: "permission-denied" });
    // Bob's device is in his own live state, which only he reads.
    expect(bob.state()?.device_id).toBe("bob-phone");
    await expect(getDoc(doc(alice.db, "users", bob.uid))).rejects.toMatchObject({
      code: "permission-denied",
    });
  });
});

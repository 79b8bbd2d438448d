/**
 * Ring limits and the caller's bucket, tried as an attacker would
 * (docs/protocol.md#who-may-ring-whom): ringing one user over and over, or probing who exists,
 * is cut off, at the defaults: 5 a minute per pair, 20 per callee, 10 starts at once. The
 * stack turns the ring limits off for the stress model (which rings the same few users again
 * and again); the callables run in this file's process, so it puts them back to their defaults
 * for itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminDb, callDoc, footprint, privateOf } from "../support/admin.js";
import { ring, users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { inProcess } from "../support/inProcess.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";

afterAll(closeAll);

// Read by the handlers at their first request, which comes after this.
delete process.env.RINGBACK_RATE_CALLEE_PER_MINUTE;
delete process.env.RINGBACK_RATE_PAIR_PER_MINUTE;
beforeAll(() => expect(inProcess, "the ring limits test runs the callables in process").toBe(true));

describe("ring limits", () => {
  it("a sixth ring from one caller to one callee within a minute is not delivered", async () => {
    const [alice, bob] = await users("alice", "bob");
    for (let i = 0; i < 5; i++) {
      const { call_id } = await ring(alice, bob);
      await alice.call("cancelCall", { call_id });
    }
    const bobBefore = await footprint([bob.uid]);
    const sixth = await alice.call<{ call_id: string; error_invitees: unknown[] }>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
    });
    expect(sixth.error_invitees).toEqual([]);
    expect((await callDoc(sixth.call_id)).users[bob.uid].state).toBe("inviting");
    expect((await privateOf(sixth.call_id))?.users[bob.uid]).toMatchObject({ undelivered: true });
    expect(await footprint([bob.uid])).toBe(bobBefore);
    await alice.call("cancelCall", { call_id: sixth.call_id });
    // Someone else still reaches bob: the limit is per pair.
    const [carol] = await users("carol");
    const other = await ring(carol, bob);
    await carol.call("cancelCall", { call_id: other.call_id });
  });

  it("a callee rung 20 times in the last minute is not rung again, by anyone", async () => {
    const [bob, carol] = await users("bob", "carol");
    const now = Date.now();
    const rings = Array.from({ length: 20 }, (_, i) => ({ from: `u${i}`, at: now - 1000 - i }));
    await adminDb().collection(PRIVATE_COLLECTIONS.ringLogs).doc(bob.uid).set({ rings });
    const bobBefore = await footprint([bob.uid]);
    const { call_id } = await carol.call<{ call_id: string }>("startCall", {
      callees: [{ id: bob.uid }],
      type: 1,
    });
    expect((await privateOf(call_id))?.users[bob.uid]).toMatchObject({ undelivered: true });
    expect(await footprint([bob.uid])).toBe(bobBefore);
    // Nothing undelivered is counted: the log is as it was.
    const log = await adminDb().collection(PRIVATE_COLLECTIONS.ringLogs).doc(bob.uid).get();
    expect(log.data()).toEqual({ rings });
    await carol.call("cancelCall", { call_id });
    // A minute later (rings aged out) bob rings again.
    const old = rings.map((r) => ({ ...r, at: now - 61_000 }));
    await adminDb().collection(PRIVATE_COLLECTIONS.ringLogs).doc(bob.uid).set({ rings: old });
    const again = await ring(carol, bob);
    await carol.call("cancelCall", { call_id: again.call_id });
  });

  it("probing who exists costs: starts naming no user use up the caller's bucket", async () => {
    const [eve] = await users("eve");
    for (let i = 0; i < 10; i++) {
      await expectCallError(
        eve.call("startCall", { callees: [{ id: `nobody-${i}` }], type: 1 }),
        "not-found",
        "user_not_found",
      );
    }
    await expectCallError(
      eve.call("startCall", { callees: [{ id: "nobody-x" }], type: 1 }),
      "resource-exhausted",
      "rate_limited",
    );
    // Nothing but the bucket was written.
    const calls = await adminDb().collectionGroup("private").get();
    expect(calls.docs.filter((d) => JSON.stringify(d.data()).includes(eve.uid))).toEqual([]);
    expect(
      (await adminDb().collection(PRIVATE_COLLECTIONS.rateLimits).doc(eve.uid).get()).exists,
    ).toBe(true);
  });
});

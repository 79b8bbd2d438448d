/** One-to-one calls through @ringback/client on the emulators: every event and every state. */
import { afterAll, describe, expect, it } from "vitest";
import { RingbackError } from "../../client/src/index.js";
import { silence, triggerSweep } from "../support/admin.js";
import { closeAll } from "../support/clients.js";
import { closeSdkUsers, connected, ringing, sdkUser, story, trio } from "./sdkUsers.js";

afterAll(async () => {
  await closeSdkUsers();
  await closeAll();
});

describe("@ringback/client: one-to-one", () => {
  it("ring, accept, hang up: events and states on both sides", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 2 });

    const incoming = await bob.waitEvent("incoming", call_id);
    expect(incoming.e).toMatchObject({ caller: { id: alice.uid, name: "Alice" }, type: 2 });
    await bob.waitState((s) => s.status === "ringing" && s.call?.id === call_id, "ringing");
    expect(bob.rb.state.incoming).toMatchObject({ callId: call_id, caller: { name: "Alice" } });
    await alice.waitState((s) => s.status === "calling" && s.call?.id === call_id, "calling");

    await bob.rb.accept(call_id);
    await alice.waitEvent("accepted", call_id);
    for (const u of [alice, bob]) {
      const s = await u.waitState(
        (s) => s.status === "in_call" && !!s.call?.connectedAt,
        "in call",
      );
      expect(s.call?.users.map((x) => [x.id, x.state])).toEqual([
        [alice.uid, "accepted"],
        [bob.uid, "accepted"],
      ]);
    }

    await alice.rb.end(call_id);
    const ended = await bob.waitEvent("ended", call_id);
    expect(ended.e).toMatchObject({ by: alice.uid, reason: "completed" });
    for (const u of [alice, bob]) {
      const s = await u.waitState((s) => s.status === "idle" && s.lastCall?.id === call_id, "idle");
      expect(s.lastCall?.endReason).toBe("completed");
      expect(s.call).toBeNull();
    }
    expect(story(bob, call_id)).toEqual(["incoming", "ended"]);
    expect(story(alice, call_id)).toEqual(["accepted"]);
    expect(alice.events(call_id, "userStateChanged").length).toBeGreaterThan(0);
  });

  it("decline: the caller hears it and both are idle, the call ended declined", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const call_id = await ringing(alice, bob, { type: 1 });
    await bob.rb.decline(call_id);
    const declined = await alice.waitEvent("declined", call_id);
    expect(declined.e).toMatchObject({ userId: bob.uid, busy: false, type: 1 });
    const s = await alice.waitState((s) => s.lastCall?.id === call_id, "idle after decline");
    expect(s).toMatchObject({ status: "idle", lastCall: { endReason: "declined" } });
    await bob.waitState((s) => s.status === "idle", "bob idle");
  });

  it("busy: ringing someone in a call is declined as busy; a busy caller gets RingbackError busy", async () => {
    const [alice, bob, carol] = await trio();
    const first = await connected(carol, bob);

    const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 2 });
    const declined = await alice.waitEvent("declined", call_id);
    expect(declined.e).toMatchObject({ userId: bob.uid, busy: true, type: 2 });
    const s = await alice.waitState((s) => s.lastCall?.id === call_id, "alice's call over");
    expect(s.lastCall?.endReason).toBe("busy");
    expect(bob.events(call_id)).toEqual([]); // a busy user hears nothing of it

    const refused = await bob.rb.ring({ callees: [{ id: alice.uid }], type: 2 }).catch((e) => e);
    expect(refused).toBeInstanceOf(RingbackError);
    expect(refused).toMatchObject({ code: "failed-precondition", reason: "busy" });
    await carol.rb.end(first);
  });

  it("the caller cancels: the callee hears canceled and stops ringing", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 2 });
    await bob.waitEvent("incoming", call_id);
    const answer = await alice.rb.cancel(call_id);
    expect(answer).toMatchObject({ call_id, state: "ended", end_reason: "canceled" });
    expect((await bob.waitEvent("canceled", call_id)).e).toMatchObject({ callerId: alice.uid });
    await bob.waitState((s) => s.status === "idle" && s.incoming === null, "bob idle");
    await alice.waitState((s) => s.lastCall?.endReason === "canceled", "alice: canceled");
  });

  it("nobody answers: a missed call for the callee, no answer for the caller", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 2, timeout: 2 });
    await bob.waitEvent("invitationTimeout", call_id);
    const timedOut = await alice.waitEvent("inviteesAnsweredTimeout", call_id);
    expect(timedOut.e).toMatchObject({ userIds: [bob.uid] });
    await alice.waitState((s) => s.lastCall?.endReason === "no_answer", "alice: no answer");
    const s = await bob.waitState((s) => s.lastCall?.id === call_id, "bob: missed");
    expect(s.lastCall?.users.find((u) => u.id === bob.uid)?.state).toBe("timeout");
    expect(story(bob, call_id)).toEqual(["incoming", "invitationTimeout"]);
  });

  it("a peer stops heartbeating: peerTimeout, and the call ends heartbeat_timeout", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const call_id = await connected(alice, bob);
    await silence(call_id, bob.uid, 61_000); // as if Bob's phone had died a minute ago
    await triggerSweep();
    expect((await alice.waitEvent("peerTimeout", call_id)).e).toMatchObject({ userId: bob.uid });
    const s = await alice.waitState((s) => s.lastCall?.id === call_id, "alice idle");
    expect(s).toMatchObject({ status: "idle", lastCall: { endReason: "heartbeat_timeout" } });
  });

  it("typed errors and listCalls paging", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const bad = await alice.rb.accept("no-such-call").catch((e) => e);
    expect(bad).toMatchObject({ code: "not-found", reason: "call_not_found" });
    const invalid = await alice.rb.ring({ callees: [], type: 2 }).catch((e) => e);
    expect(invalid).toMatchObject({ code: "invalid-argument", reason: "invalid_argument" });

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 1 });
      await alice.rb.cancel(call_id);
      ids.unshift(call_id);
    }
    const pages = [];
    for await (const page of alice.rb.pages(2)) pages.push(page);
    expect(pages.map((p) => p.calls.map((c) => c.call_id))).toEqual([
      ids.slice(0, 2),
      ids.slice(2),
    ]);
    expect(pages[0]?.calls[0]).toMatchObject({ state: "ended", end_reason: "canceled" });
    expect(alice.errors).toEqual([]);
  });
});

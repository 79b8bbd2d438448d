/**
 * What @ringback/client does by itself, on the emulators: two devices of one user, a
 * reconnect in the middle of a call, group calls in advanced mode, receipts, the heartbeat,
 * sign-out.
 */
import { disableNetwork, enableNetwork } from "firebase/firestore";
import { afterAll, describe, expect, it } from "vitest";
import type { Clock } from "../../client/src/index.js";
import { callDoc, privateOf } from "../support/admin.js";
import { closeAll } from "../support/clients.js";
import { closeSdkUsers, connected, sdkUser, story, trio, type SdkUser } from "./sdkUsers.js";

afterAll(async () => {
  await closeSdkUsers();
  await closeAll();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function poll(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const end = Date.now() + 20_000; Date.now() < end; await sleep(100)) {
    if (await check()) return;
  }
  throw new Error(`timed out waiting for ${what}`);
}
const ids = (u: SdkUser) => u.log.map((l) => l.e.eventId);

describe("@ringback/client: sessions", () => {
  it("two devices of one user both ring; one answers and both follow", async () => {
    const alice = await sdkUser("Alice");
    const phone = await sdkUser("Bob", { deviceId: "bob-phone" });
    const laptop = await sdkUser("Bob", { sameUserAs: phone, deviceId: "bob-laptop" });
    expect(laptop.uid).toBe(phone.uid);
    const { call_id } = await alice.rb.ring({ callees: [{ id: phone.uid }], type: 2 });
    await Promise.all([phone, laptop].map((d) => d.waitEvent("incoming", call_id)));

    await laptop.rb.accept(call_id);
    for (const d of [phone, laptop]) await d.waitState((s) => s.status === "in_call", "in call");
    // Which device answered is the server's own record (calls/{id}/private/server).
    expect((await privateOf(call_id))?.users[phone.uid].device_id).toBe("bob-laptop");

    await alice.rb.end(call_id);
    for (const d of [phone, laptop]) {
      await d.waitEvent("ended", call_id);
      await d.waitState((s) => s.status === "idle", "idle");
      expect(story(d, call_id)).toEqual(["incoming", "ended"]);
    }
  });

  it("a reconnect in the middle of a call loses no event and repeats none", async () => {
    const [alice, bob, carol] = await trio();
    const call_id = await connected(alice, bob, { mode: "advanced" });

    await disableNetwork(bob.db); // Bob's train enters a tunnel
    await bob.waitState((s) => !s.online, "offline");
    await alice.rb.invite(call_id, [{ id: carol.uid }]);
    await carol.waitEvent("incoming", call_id);
    await carol.rb.accept(call_id);
    await alice.waitEvent("accepted", call_id);
    const aboutCarol = () =>
      bob.log.filter(
        (l) =>
          (l.name === "accepted" && l.e.userId === carol.uid) ||
          (l.name === "userStateChanged" && l.e.users.some((u) => u.id === carol.uid)),
      );
    expect(aboutCarol()).toEqual([]); // nothing reached Bob meanwhile

    await enableNetwork(bob.db);
    await bob.waitEvent("accepted", call_id);
    await alice.rb.end(call_id);
    await bob.waitEvent("ended", call_id);
    await bob.waitState((s) => s.status === "idle", "idle");
    expect(new Set(ids(bob)).size).toBe(ids(bob).length);
    const seqs = bob.events(call_id).map((l) => Number(l.e.eventId.split("-").at(-2)));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(story(bob, call_id)).toEqual(["incoming", "accepted", "ended"]);
    const told = bob
      .events(call_id, "userStateChanged")
      .flatMap((l) =>
        l.name === "userStateChanged" ? l.e.users.filter((u) => u.id === carol.uid) : [],
      );
    expect(told.map((u) => u.state)).toEqual(["inviting", "accepted"]); // once each
  });

  it("a group call: invitees see each other, quit leaves the others in the call", async () => {
    const [alice, bob, carol] = await trio();
    const { call_id } = await alice.rb.ring({
      callees: [{ id: bob.uid }, { id: carol.uid }],
      type: 2,
      mode: "advanced",
    });
    const inc = await carol.waitEvent("incoming", call_id);
    expect(inc.name === "incoming" && inc.e.callees.map((c) => c.id)).toEqual([bob.uid, carol.uid]);
    await Promise.all([bob, carol].map((u) => u.waitState((s) => s.status === "ringing", "r")));
    await bob.rb.accept(call_id);
    await carol.rb.accept(call_id);
    const s = await alice.waitState(
      (s) => s.call?.users.filter((u) => u.state === "accepted").length === 3,
      "three in the call",
    );
    expect(s.status).toBe("in_call");
    await alice.rb.quit(call_id);
    await alice.waitState((s) => s.status === "idle", "alice left");
    const bobs = await bob.waitState(
      (s) => s.call?.users.find((u) => u.id === alice.uid)?.state === "quit",
      "bob sees alice quit",
    );
    expect(bobs.status).toBe("in_call");
    await bob.rb.end(call_id);
    await carol.waitState((s) => s.lastCall?.id === call_id, "carol: over");
  });

  it("acks an invitation that asks for the not-received check", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob", { deviceId: "bob-phone" });
    const { call_id } = await alice.rb.ring({
      callees: [{ id: bob.uid }],
      type: 2,
      not_received_check: true,
    });
    const changed = await alice.waitEvent("userStateChanged", call_id);
    expect(changed.e).toBeDefined();
    await alice.waitState(
      (s) => s.call?.users.find((u) => u.id === bob.uid)?.state === "received",
      "bob received",
    );
    expect((await privateOf(call_id))?.users[bob.uid].device_id).toBe("bob-phone");
    await alice.rb.cancel(call_id);
  });

  it("heartbeats at the call's interval while in the call, and stops after it", async () => {
    // Time runs 40 times faster for the SDK's timers: a 20 s interval is 0.5 s here.
    const fast: Clock = {
      now: () => Date.now(),
      setTimeout: (fn, ms) => setTimeout(fn, ms / 40),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    const alice = await sdkUser("Alice", { clock: fast });
    const bob = await sdkUser("Bob");
    const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 2 });
    const beatAt = async () => (await callDoc(call_id)).users[alice.uid].heartbeat_at.toMillis();
    const first = await beatAt();
    await poll(async () => (await beatAt()) > first, "a beat while ringing");
    await bob.waitState((s) => s.status === "ringing", "ringing");
    await bob.rb.accept(call_id);
    const accepted = await beatAt();
    await poll(async () => (await beatAt()) > accepted, "a beat in the call");
    await bob.rb.end(call_id);
    await alice.waitState((s) => s.status === "idle", "idle");
    await sleep(500); // a beat already in flight may still land
    const last = await beatAt();
    await sleep(1500); // three intervals of the fast clock
    expect(await beatAt()).toBe(last);
    expect(alice.errors).toEqual([]); // no beat was refused: none went to the ended call
  });

  it("follows sign-out and sign-in", async () => {
    const bob = await sdkUser("Bob");
    await bob.signOut();
    await bob.waitState((s) => s.uid === null && !s.live, "signed out");
  });
});

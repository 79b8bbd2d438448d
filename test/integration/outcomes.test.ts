/**
 * connected_at, ended_at and duration across 1:1, group and advanced calls, and the outcome a
 * call nobody accepted records (docs/protocol.md#call-outcomes), in both modes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { callDoc } from "../support/admin.js";
import { ring, ringAll, users } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";

afterAll(closeAll);

interface Entry {
  call_id: string;
  state: string;
  end_reason: string | null;
  connected_at: string | null;
  ended_at: string | null;
  duration: number;
}

async function entry(user: TestUser, callId: string): Promise<Entry> {
  const { calls } = await user.call<{ calls: Entry[] }>("listCalls", { count: 20 });
  const e = calls.find((c) => c.call_id === callId);
  expect(e, `${callId} in ${user.uid}'s list`).toBeDefined();
  return e as Entry;
}

const ms = (t: { toMillis(): number } | undefined) => t?.toMillis();
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

describe("connected_at, ended_at and duration", () => {
  it("1:1: connected at the accept, duration to the end in whole seconds", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    expect((await callDoc(call_id)).connected_at).toBeUndefined();
    expect((await entry(alice, call_id)).duration).toBe(0);
    const t0 = Date.now();
    await bob.call("acceptCall", { call_id });
    const live = await callDoc(call_id);
    expect(ms(live.connected_at)).toBeGreaterThanOrEqual(t0 - 2000);
    expect(live.ended_at).toBeUndefined();
    await sleep(2100);
    await alice.call("endCall", { call_id });
    const call = await callDoc(call_id);
    const span = (ms(call.ended_at) ?? 0) - (ms(call.connected_at) ?? 0);
    expect(span).toBeGreaterThanOrEqual(2000);
    for (const u of [alice, bob]) {
      const e = await entry(u, call_id);
      expect(e).toMatchObject({ state: "ended", end_reason: "completed" });
      expect(Date.parse(e.connected_at ?? "")).toBe(ms(call.connected_at));
      expect(Date.parse(e.ended_at ?? "")).toBe(ms(call.ended_at));
      expect(e.duration).toBe(Math.floor(span / 1000));
    }
  });

  it("group: connected_at is the first accept and a later one does not move it", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ringAll(alice, [bob, carol]);
    await bob.call("acceptCall", { call_id });
    const first = ms((await callDoc(call_id)).connected_at);
    expect(first).toBeDefined();
    await sleep(50);
    await carol.call("acceptCall", { call_id });
    expect(ms((await callDoc(call_id)).connected_at)).toBe(first);
    await carol.call("endCall", { call_id });
    const e = await entry(bob, call_id);
    expect(Date.parse(e.connected_at ?? "")).toBe(first);
    expect(e.ended_at).not.toBeNull();
    expect(e.duration).toBeGreaterThanOrEqual(0);
  });

  it("advanced: connected by the first join or accept; a live call's duration runs", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob, { mode: "advanced" });
    await bob.call("declineCall", { call_id, type: 1 });
    expect((await callDoc(call_id)).connected_at).toBeUndefined();
    await bob.call("joinCall", { call_id });
    expect((await callDoc(call_id)).connected_at).toBeDefined();
    await sleep(1100);
    const live = await entry(alice, call_id);
    expect(live).toMatchObject({ state: "ongoing", ended_at: null });
    expect(live.duration).toBeGreaterThanOrEqual(1);
    await alice.call("quitCall", { call_id });
    await bob.call("quitCall", { call_id });
    const e = await entry(alice, call_id);
    expect(e).toMatchObject({ state: "ended", end_reason: "all_quit" });
    expect(e.duration).toBeGreaterThanOrEqual(1);
  });

  it("a call that never connected lasts 0 and has no connected_at", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    await bob.call("declineCall", { call_id, type: 1 });
    const e = await entry(alice, call_id);
    expect(e).toMatchObject({ end_reason: "declined", connected_at: null, duration: 0 });
    expect(e.ended_at).not.toBeNull();
  });
});

describe("outcomes of a call nobody accepted", () => {
  it("advanced: the caller's endCall after everyone declined records declined, not canceled", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ringAll(alice, [bob, carol], { mode: "advanced" });
    await bob.call("declineCall", { call_id, type: 1 });
    await carol.call("declineCall", { call_id, type: 2 });
    expect((await callDoc(call_id)).state).toBe("ringing"); // the inviter alone keeps it
    const r = await alice.call("endCall", { call_id });
    expect(r).toMatchObject({ state: "ended", end_reason: "declined" });
  });

  it("advanced: all busy is busy", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob, { mode: "advanced" });
    await bob.call("declineCall", { call_id, type: 2 });
    expect(await alice.call("endCall", { call_id })).toMatchObject({ end_reason: "busy" });
  });

  it("advanced: invitees who timed out make no_answer", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob, { mode: "advanced", timeout: 1 });
    await bob.waitState((s) => s?.status === "idle", "idle after the invitation timeout", 10_000);
    expect(await alice.call("endCall", { call_id })).toMatchObject({ end_reason: "no_answer" });
  });

  it("canceled only when the caller withdrew while someone rang, in either mode", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const adv = await ringAll(alice, [bob, carol], { mode: "advanced" });
    await bob.call("declineCall", { call_id: adv.call_id, type: 1 });
    const r = await alice.call("endCall", { call_id: adv.call_id }); // carol still rings
    expect(r).toMatchObject({ end_reason: "canceled" });
    const [dave, erin] = await users("dave", "erin");
    const common = await ring(dave, erin);
    expect(await dave.call("cancelCall", { call_id: common.call_id })).toMatchObject({
      end_reason: "canceled",
    });
  });

  it("common: a decline and a timeout make declined, whatever the order", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ringAll(alice, [bob, carol], { timeout: 2 });
    await bob.call("declineCall", { call_id, type: 1 });
    await alice.waitState((s) => s?.status === "idle", "idle after carol timed out", 15_000);
    const call = await callDoc(call_id);
    expect(call).toMatchObject({ state: "ended", end_reason: "declined" });
    expect(call.users[carol.uid].state).toBe("timeout");
  });
});

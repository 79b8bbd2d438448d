/** Double submits and races, run concurrently against the real callables. */
import { afterAll, describe, expect, it } from "vitest";
import { callDoc } from "../support/admin.js";
import { ring, users } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";

afterAll(closeAll);

/** Waits until a user's notifications for a call stop changing, then returns their paths. */
async function settledPaths(user: TestUser, callId: string): Promise<string[]> {
  let last = "";
  for (let i = 0; i < 50; i++) {
    const now = JSON.stringify(user.notifications(callId).map((n) => n.id));
    if (now === last) break;
    last = now;
    await new Promise((r) => setTimeout(r, 100));
  }
  return user.notifications(callId).map((n) => n.path);
}

describe("double submit", () => {
  it("startCall retried with the same call_id returns the same answer and rings once", async () => {
    const [alice, bob] = await users("alice", "bob");
    const body = {
      call_id: `retry-${alice.uid}`,
      callees: [{ id: bob.uid }],
      type: 2 as const,
      timeout: 45,
    };
    const answers = await Promise.all([1, 2, 3].map(() => alice.call("startCall", body)));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    const later = await alice.call("startCall", body);
    expect(later).toEqual(answers[0]);
    await bob.waitNotification("/call/notify_call_invited", body.call_id);
    expect(await settledPaths(bob, body.call_id)).toEqual([
      "/call/notify_call_invited",
      "/call/notify_user_state_changed",
    ]);
  });

  it("accept submitted twice at once: both succeed, the caller is told once", async () => {
    const [alice, bob] = await users("alice", "bob");
    const call_id = (await ring(alice, bob)).call_id;
    const [a, b] = await Promise.all([
      bob.call("acceptCall", { call_id }),
      bob.call("acceptCall", { call_id }),
    ]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ state: "ongoing", user_state: "accepted" });
    await alice.waitNotification("/call/notify_call_accept", call_id);
    // Told once of the invitation's state and once of the accept (ZEGO Call's notification and the state change).
    expect(await settledPaths(alice, call_id)).toEqual([
      "/call/notify_user_state_changed",
      "/call/notify_call_accept",
      "/call/notify_user_state_changed",
    ]);
  });

  it("decline, cancel and end repeated: success, one notification each", async () => {
    const [alice, bob, carol, dave] = await users("alice", "bob", "carol", "dave");
    const declined = (await ring(alice, bob)).call_id;
    await Promise.all([1, 2].map(() => bob.call("declineCall", { call_id: declined, type: 1 })));
    await bob.call("declineCall", { call_id: declined, type: 1 });
    await alice.waitNotification("/call/notify_call_decline", declined);
    expect(await settledPaths(alice, declined)).toEqual([
      "/call/notify_user_state_changed",
      "/call/notify_call_decline",
      "/call/notify_user_state_changed",
    ]);

    const canceled = (await ring(carol, dave)).call_id;
    await Promise.all([1, 2].map(() => carol.call("cancelCall", { call_id: canceled })));
    await carol.call("cancelCall", { call_id: canceled });
    await dave.waitNotification("/call/notify_call_canceled", canceled);
    expect(await settledPaths(dave, canceled)).toEqual([
      "/call/notify_call_invited",
      "/call/notify_user_state_changed",
      "/call/notify_call_canceled",
    ]);

    const ended = (await ring(alice, bob)).call_id;
    await bob.call("acceptCall", { call_id: ended });
    await Promise.all([1, 2].map(() => alice.call("endCall", { call_id: ended })));
    await bob.call("endCall", { call_id: ended });
    await bob.waitNotification("/call/notify_call_end", ended);
    expect(await settledPaths(bob, ended)).toEqual([
      "/call/notify_call_invited",
      "/call/notify_user_state_changed",
      "/call/notify_user_state_changed",
      "/call/notify_call_end",
    ]);
    expect(await settledPaths(alice, ended)).toEqual([
      "/call/notify_user_state_changed",
      "/call/notify_call_accept",
      "/call/notify_user_state_changed",
    ]);
  });
});

describe("races", () => {
  it("accept and cancel at once: exactly one wins and both users agree", async () => {
    for (let round = 0; round < 4; round++) {
      const [alice, bob] = await users("alice", "bob");
      const call_id = (await ring(alice, bob)).call_id;
      const [acc, can] = await Promise.allSettled([
        bob.call("acceptCall", { call_id }),
        alice.call("cancelCall", { call_id }),
      ]);
      const call = await callDoc(call_id);
      if (acc.status === "fulfilled") {
        expect(can.status).toBe("rejected");
        expect((can as PromiseRejectedResult).reason.details.reason).toBe("already_answered");
        expect(call.state).toBe("ongoing");
        await alice.waitState((s) => s?.status === "in_call", "in_call");
        await bob.waitState((s) => s?.status === "in_call", "in_call");
        expect(await settledPaths(bob, call_id)).toEqual([
          "/call/notify_call_invited",
          "/call/notify_user_state_changed",
          "/call/notify_user_state_changed",
        ]);
      } else {
        expect(can.status).toBe("fulfilled");
        expect(acc.reason.details.reason).toBe("call_ended");
        expect(call).toMatchObject({ state: "ended", end_reason: "canceled" });
        await alice.waitState((s) => s?.status === "idle", "idle");
        await bob.waitState((s) => s?.status === "idle", "idle");
        expect(await settledPaths(bob, call_id)).toEqual([
          "/call/notify_call_invited",
          "/call/notify_user_state_changed",
          "/call/notify_call_canceled",
        ]);
        expect(await settledPaths(alice, call_id)).toEqual([
          "/call/notify_user_state_changed",
          "/call/notify_user_state_changed",
        ]);
      }
    }
  });

  it("accept and decline at once by the callee: one answer holds", async () => {
    const [alice, bob] = await users("alice", "bob");
    const call_id = (await ring(alice, bob)).call_id;
    const results = await Promise.allSettled([
      bob.call("acceptCall", { call_id }),
      bob.call("declineCall", { call_id, type: 1 }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const call = await callDoc(call_id);
    expect(["accepted", "rejected"]).toContain(call.users[bob.uid].state);
    // The invitation's state, then exactly one answer and its state change.
    const told = await settledPaths(alice, call_id);
    expect(told).toHaveLength(3);
    expect(told.filter((p) => p !== "/call/notify_user_state_changed")).toHaveLength(1);
  });
});

/**
 * `state.alone` on the real emulators (docs/protocol.md#call-outcomes): an advanced 1:1 call
 * outlives its peer, and the one left sees who left and why, a quit or a lost connection.
 */
import { afterAll, describe, expect, it } from "vitest";
import { silence, triggerSweep } from "../support/admin.js";
import { closeAll, newUser } from "../support/clients.js";
import { closeSdkUsers, sdkUser } from "./sdkUsers.js";
import { HEARTBEAT } from "../support/heartbeat.js";

afterAll(async () => {
  await closeSdkUsers();
  await closeAll();
});

const HEARTBEAT_TIMEOUT_MS = HEARTBEAT.timeoutMs;

describe("alone in a call", () => {
  it("the peer quits: the caller is alone, with who left and why", async () => {
    const alice = await sdkUser("alice");
    const bob = await sdkUser("bob");
    const { call_id } = await alice.rb.ring({
      callees: [{ id: bob.uid, name: "Bob" }],
      type: 1,
      mode: "advanced",
    });
    await bob.waitState((s) => s.status === "ringing", "ringing");
    await bob.rb.accept(call_id);
    const on = await alice.waitState((s) => s.call?.state === "ongoing", "ongoing");
    expect(on.alone).toBeNull();
    await bob.rb.quit(call_id);
    const st = await alice.waitState((s) => s.alone !== null, "alone");
    expect(st).toMatchObject({ status: "in_call", callId: call_id });
    expect(st.alone).toEqual({
      callId: call_id,
      left: [{ id: bob.uid, name: "bob", reason: "quit" }],
    });
    expect(bob.rb.state.alone).toBeNull(); // the one who left is not alone: he is out
    await alice.rb.end(call_id);
    const idle = await alice.waitState((s) => s.status === "idle", "idle");
    expect(idle.alone).toBeNull();
  });

  it("the peer loses connection: alone says timeout", async () => {
    const alice = await sdkUser("alice");
    const bob = await newUser("bob"); // a bare client: it never heartbeats
    const { call_id } = await alice.rb.ring({
      callees: [{ id: bob.uid, name: "Bob" }],
      type: 1,
      mode: "advanced",
    });
    await bob.waitState((s) => s?.status === "ringing", "ringing");
    await bob.call("acceptCall", { call_id });
    await alice.waitState((s) => s.call?.state === "ongoing", "ongoing");
    await silence(call_id, bob.uid, HEARTBEAT_TIMEOUT_MS + 1000);
    await triggerSweep();
    const st = await alice.waitState((s) => s.alone !== null, "alone");
    // The state may follow the call doc before notify_timeout names the reason: wait for it.
    const why = await alice.waitState(
      (s) => s.alone?.left[0]?.reason === "timeout",
      "alone, because Bob timed out",
    );
    expect(st.alone?.callId).toBe(call_id);
    expect(why.alone).toEqual({
      callId: call_id,
      left: [{ id: bob.uid, name: "bob", reason: "timeout" }], // the name his own token carries
    });
    expect(why.status).toBe("in_call");
    await alice.rb.end(call_id);
  });
});

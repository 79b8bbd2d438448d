/**
 * Call ids scoped to their caller (docs/protocol.md#startcall), tried as an attacker would: a
 * client-chosen `call_id` taken first by someone else does not stop the real caller, whose
 * call gets an id scoped to them; no one can choose that scoped id first.
 */
import { afterAll, describe, expect, it } from "vitest";
import { callDoc } from "../support/admin.js";
import { users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";

afterAll(closeAll);

interface Started {
  call_id: string;
}

describe("a chosen call id taken first by someone else", () => {
  it("does not hurt the real caller: their call rings under an id scoped to them", async () => {
    const [alice, bob, mallory, eve] = await users("alice", "bob", "mallory", "eve");
    const chosen = `call-${alice.uid.slice(0, 8)}`; // predictable, as "123" in ZEGO's examples
    const squat = await mallory.call<Started>("startCall", {
      call_id: chosen,
      callees: [{ id: eve.uid }],
      type: 1,
    });
    expect(squat.call_id).toBe(chosen);
    const body = { call_id: chosen, callees: [{ id: bob.uid }], type: 1 };
    const real = await alice.call<Started>("startCall", body);
    expect(real.call_id).toMatch(new RegExp(`^${chosen}\\.[A-Za-z0-9_-]{22}$`));
    await bob.waitState((s) => s?.status === "ringing" && s.call_id === real.call_id, "ringing");
    expect((await callDoc(real.call_id)).caller.id).toBe(alice.uid);
    expect((await callDoc(chosen)).caller.id).toBe(mallory.uid); // Mallory's own, untouched
    // A retry of the same start finds the same call; another body is already-exists.
    expect((await alice.call<Started>("startCall", body)).call_id).toBe(real.call_id);
    await expectCallError(
      alice.call("startCall", { ...body, type: 2 }),
      "already-exists",
      "call_exists",
    );
    // Nobody can choose the scoped id first: a chosen id has no '.'.
    await expectCallError(
      mallory.call("startCall", { call_id: real.call_id, callees: [{ id: eve.uid }], type: 1 }),
      "invalid-argument",
      "invalid_argument",
    );
    // The scoped id works in every other command.
    await bob.call("acceptCall", { call_id: real.call_id });
    await alice.call("endCall", { call_id: real.call_id });
    expect(await callDoc(real.call_id)).toMatchObject({ state: "ended", end_reason: "completed" });
  });
});

/**
 * The general per-user command bucket (adapters/callable/commandLimit.ts), through the real handlers and
 * emulators. It lives in one instance's memory, so this runs only in process (the emulators
 * project), where every request of this file meets the one bucket of this test process: the
 * functions emulator spreads requests over worker processes, each with a bucket of its own,
 * and how many there are is up to it. The burst is made small here, for this file alone
 * (each test file runs in its own process), so a few cheap commands spend it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { footprint } from "../support/admin.js";
import { users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";
import { inProcess } from "../support/inProcess.js";

afterAll(closeAll);

const BURST = 4;
beforeAll(() => {
  expect(inProcess, "the command bucket test runs the callables in process").toBe(true);
  process.env.RINGBACK_COMMAND_BURST = String(BURST);
  process.env.RINGBACK_COMMAND_RATE_PER_MINUTE = "1"; // no refill worth a token within the test
});

describe("the general command bucket", () => {
  it("refuses a user's commands past the burst, before anything else, and only that user's", async () => {
    const [mallory, bob] = await users("mallory", "bob");
    for (let i = 0; i < BURST; i++) await mallory.call("listCalls", {});
    const before = await footprint([mallory.uid, bob.uid]);
    const e = await expectCallError(
      mallory.call("startCall", { callees: [{ id: bob.uid }], type: 1 }),
      "resource-exhausted",
      "rate_limited",
    );
    expect(e.details?.retry_after_ms).toBeGreaterThan(0);
    // Taken before validation: a malformed request is refused as rate_limited too.
    await expectCallError(
      mallory.call("startCall", { callees: "nobody" }),
      "resource-exhausted",
      "rate_limited",
    );
    expect(await footprint([mallory.uid, bob.uid])).toBe(before);
    // Bob's bucket is his own.
    await expect(bob.call("listCalls", {})).resolves.toMatchObject({ calls: [] });
  });
});

/**
 * The policy hook's 1.5 s is the hook's time: a stall of this process's own event loop (a cold
 * instance loading its clients beside the ask) is added back, so an answer waiting on the
 * socket when the loop wakes is read rather than blamed on the hook (adapters/calls/policy.ts).
 */
import { describe, expect, it } from "vitest";
import { listeningBudget } from "../../functions/src/adapters/calls/policy.js";

const aborted = (signal: AbortSignal) =>
  new Promise<number>((resolve) =>
    signal.addEventListener("abort", () => resolve(performance.now())),
  );
const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe("the policy hook's budget", () => {
  it("aborts after the budget when the loop runs freely, as a TimeoutError", async () => {
    const t0 = performance.now();
    const b = listeningBudget(300);
    const at = await aborted(b.signal);
    expect(at - t0).toBeGreaterThanOrEqual(300);
    expect(at - t0).toBeLessThan(600);
    expect((b.signal.reason as Error).name).toBe("TimeoutError");
  });

  it("adds back a stall of the process's own loop, up to the budget again", async () => {
    const t0 = performance.now();
    const b = listeningBudget(300);
    const at = aborted(b.signal);
    await new Promise((r) => setTimeout(r, 100));
    spin(400); // held across the deadline: not the hook's time
    expect(b.signal.aborted).toBe(false);
    const waited = (await at) - t0;
    expect(waited).toBeGreaterThanOrEqual(300 + 400 - 100);
    expect(waited).toBeLessThan(1300);

    const t1 = performance.now();
    const capped = listeningBudget(200);
    const at2 = aborted(capped.signal);
    await new Promise((r) => setTimeout(r, 20));
    spin(1000); // a longer stall than the budget: at most the budget more
    expect((await at2) - t1).toBeLessThan(1000 + 200 + 300);
  });

  it("stop() ends it without aborting", async () => {
    const b = listeningBudget(50);
    b.stop();
    await new Promise((r) => setTimeout(r, 150));
    expect(b.signal.aborted).toBe(false);
  });
});

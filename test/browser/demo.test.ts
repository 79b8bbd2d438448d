/** The web demo in a real browser: two and three people ringing each other through the stack. */
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  launch,
  newestOutcome,
  openAs,
  resetDemoUsers,
  ring,
  talk,
  type Person,
} from "./demoBrowser.js";

let browser: Browser;
let alice: Person;
let bob: Person;
let carol: Person;

beforeAll(async () => {
  await resetDemoUsers();
  browser = await launch();
  alice = await openAs(browser, "alice");
  bob = await openAs(browser, "bob");
  carol = await openAs(browser, "carol");
  await alice.shot("home");
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== "fail") return;
  const name = ctx.task.name.replace(/\W+/g, "-").slice(0, 40);
  for (const p of [alice, bob, carol]) await p?.shot(`failed-${name}-${p.user}`);
});

beforeEach(async () => {
  await resetDemoUsers(); // a test that failed midway leaves nobody in a call
  for (const p of [alice, bob, carol]) await p.screen("home");
});

describe("web demo", () => {
  it("ring, accept, both in call, hang up, both idle", async () => {
    await alice.click("Call Bob");
    await alice.screen("calling");
    await alice.sees("Calling Bob…");
    await alice.shot("calling");
    await bob.screen("ringing");
    await bob.sees("Alice is calling");
    await bob.shot("incoming");
    await bob.click("Accept");
    for (const p of [alice, bob]) {
      await p.screen("in-call");
      await p.page.locator('[data-testid="status"]', { hasText: "In call" }).waitFor();
    }
    await alice.page.waitForFunction(
      () => document.querySelector('[data-testid="timer"]')?.textContent !== "00:00",
    );
    await alice.shot("in-call");
    await bob.click("Hang up");
    for (const p of [alice, bob]) {
      await p.screen("home");
      await p.sees(/Call ended/);
    }
    await alice.page.locator('[data-testid="history"] li', { hasText: "Bob" }).first().waitFor();
    await alice.shot("after-call");
  });

  it("decline: the caller is told and both are idle", async () => {
    await ring(alice, bob);
    await bob.click("Decline");
    await alice.screen("home");
    await alice.sees("Bob declined");
    await bob.screen("home");
    await bob.sees("You declined Alice");
    // The history shows the server's outcome (docs/protocol.md#call-outcomes), not "Canceled".
    await newestOutcome(alice, "↗ Declined");
    await newestOutcome(bob, "↙ Declined");
    await alice.shot("declined");
  });

  it("the caller cancels: the callee stops ringing and sees a missed call", async () => {
    await ring(alice, carol);
    await alice.click("Cancel");
    await carol.screen("home");
    await carol.sees("Missed call from Alice");
    await alice.sees("Call canceled");
    await newestOutcome(alice, "↗ Canceled");
    await newestOutcome(carol, "↙ Missed");
  });

  it("nobody answers: missed for the callee, no answer for the caller", async () => {
    await alice.reopen(3); // Alice's calls now ring for 3 s
    await ring(alice, bob);
    await bob.screen("home");
    await bob.sees("Missed call from Alice");
    await alice.sees("No answer from Bob");
    await newestOutcome(alice, "↗ No answer");
    await newestOutcome(bob, "↙ Missed");
    await bob.page.locator('[data-testid="history"] li.missed').first().waitFor();
    await bob.shot("missed");
    await alice.shot("no-answer");
    await alice.reopen(30);
  });

  it("busy: calling someone who is in a call", async () => {
    await talk(alice, bob);
    await carol.click("Call Bob");
    await carol.sees("Bob is busy");
    await newestOutcome(carol, "↗ Busy");
    await carol.shot("busy");
    expect(await bob.page.locator('[data-screen="in-call"]').count()).toBe(1);
    await alice.click("Hang up");
    await bob.screen("home");
  });

  it("a group call: a third person is added, leaves, and the others go on", async () => {
    await talk(bob, alice);
    await bob.click("Add Carol");
    await carol.screen("ringing");
    await carol.sees("Bob is calling");
    await carol.click("Accept");
    for (const p of [alice, bob, carol]) {
      await p.screen("in-call");
      await p.page.waitForFunction(
        () => document.querySelectorAll(".person.state-accepted").length === 3,
      );
    }
    await carol.shot("group-call");
    await carol.click("Hang up"); // leaves; Alice and Bob are still talking
    await carol.screen("home");
    await carol.sees("You left the call");
    await alice.page.locator('.person.state-quit[data-user="carol"]').waitFor();
    // Carol was named by the call: inviteToCall would refuse her, so nobody is offered "Add".
    expect(await bob.page.getByRole("button", { name: "Add Carol" }).count()).toBe(0);
    await alice.screen("in-call");
    // Carol comes back while the others still talk: Rejoin from her history (joinCall).
    await carol.click("Rejoin the call with Bob");
    await carol.screen("in-call");
    await alice.page.locator('.person.state-accepted[data-user="carol"]').waitFor();
    await carol.click("Hang up");
    await carol.screen("home");
    await alice.click("Hang up");
    await bob.screen("home");
    await alice.screen("home");
  });

  it("a window that drops offline mid-call catches up when it is back", async () => {
    await talk(alice, bob);
    await bob.context.setOffline(true);
    await bob.page.locator('[data-testid="status"]', { hasText: "Offline" }).waitFor();
    await bob.shot("offline");
    await alice.click("Hang up"); // Bob's window cannot hear of it yet
    await alice.screen("home");
    await bob.screen("in-call");
    await bob.context.setOffline(false);
    await bob.screen("home");
    await bob.sees(/Call ended/);
  });

  it("a group call rung at once: pick two people", async () => {
    await alice.page.getByLabel("Select Bob").check();
    await alice.page.getByLabel("Select Carol").check();
    await alice.click("Group call Bob and Carol");
    await alice.sees("Calling Bob and Carol…");
    await bob.screen("ringing");
    await carol.screen("ringing");
    await carol.sees("with Bob");
    await bob.click("Accept");
    await carol.click("Decline");
    await alice.screen("in-call");
    await alice.page.locator('.person.state-rejected[data-user="carol"]').waitFor();
    await alice.click("Hang up");
    await bob.screen("home");
  });
});

/**
 * Two windows, one user (issue 30): Alice in one window, Bob in two (two browser contexts, so
 * two devices). Screenshots go to .runtime/screenshots/ under the step's name; every step is
 * asserted on the page's text and attributes, not on the pictures.
 */
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  callIdOf,
  historyRow,
  launch,
  openAs,
  resetDemoUsers,
  type Person,
} from "./demoBrowser.js";
import { adminDb } from "../support/admin.js";
import { callPath } from "../support/names.js";

/** The machine may be shared and loaded: generous waits on DOM conditions, never sleeps. */
const WAIT_MS = 45_000;

let browser: Browser;
let alice: Person;
let bob1: Person;
let bob2: Person;
const everyone = () => [alice, bob1, bob2];

/** Waits until `p`'s page plays `tone` ("" for none): alerts.ts names it on the body. */
const tone = (p: Person, t: string) =>
  p.page.waitForFunction((want) => (document.body.dataset.tone ?? "") === want, t);

/** Waits until the in-call timer of `p` has moved past 00:00 (the server's connected_at). */
const timerRuns = (p: Person) =>
  p.page.waitForFunction(() => {
    const t = document.querySelector('[data-testid="timer"]')?.textContent ?? "";
    return /^\d\d:\d\d$/.test(t) && t !== "00:00";
  });

beforeAll(async () => {
  await resetDemoUsers();
  browser = await launch();
  alice = await reopen("alice");
  bob1 = await openAs(browser, "bob");
  bob2 = await openAs(browser, "bob");
  for (const p of everyone()) p.page.setDefaultTimeout(WAIT_MS);
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== "fail") return;
  const name = ctx.task.name.replace(/\W+/g, "-").slice(0, 40);
  for (const [i, p] of everyone().entries()) {
    if (!p.page.isClosed()) await p.shot(`failed-2w-${name}-${i}`);
  }
});

beforeEach(async () => {
  await resetDemoUsers();
  for (const p of everyone()) await p.screen("home");
}, 120_000);

/** A fresh window (another device), with the same generous waits. */
async function reopen(user: "alice" | "bob"): Promise<Person> {
  const p = await openAs(browser, user);
  p.page.setDefaultTimeout(WAIT_MS);
  return p;
}

/** Alice rings Bob; Bob accepts in his first window. Resolves with the call's id. */
async function connect(): Promise<string> {
  await alice.click("Call Bob");
  await bob1.screen("ringing");
  await bob2.screen("ringing");
  await bob1.click("Accept");
  for (const p of [alice, bob1]) await p.screen("in-call");
  await bob2.screen("elsewhere");
  return callIdOf(alice);
}

describe("one user, two windows", () => {
  it("both windows ring, one answers, the other says so; history has outcome and duration", async () => {
    // Catches the Call button disabled while its request is in flight (it is re-rendered).
    await alice.page.evaluate(() => {
      const w = window as unknown as { sawDisabled: boolean };
      w.sawDisabled = false;
      new MutationObserver(() => {
        if (document.querySelector('[aria-label="Call Bob"][disabled]')) w.sawDisabled = true;
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    // Bob's second window is in the background: it flashes its title and notifies.
    await bob2.context.grantPermissions(["notifications"]);
    await bob2.page.evaluate(() => {
      const w = window as unknown as { notified: string[] };
      w.notified = [];
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          w.notified.push(title);
        }
      } as typeof Notification;
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await alice.click("Call Bob");
    await alice.screen("calling");
    await alice.sees("Calling Bob…");
    await tone(alice, "ringback");
    expect(await alice.page.evaluate(() => (window as { sawDisabled?: boolean }).sawDisabled)).toBe(
      true,
    );
    await alice.shot("01-alice-rings");

    for (const b of [bob1, bob2]) {
      await b.screen("ringing");
      await b.sees("Alice is calling");
      await tone(b, "ringtone");
    }
    await bob2.page.waitForFunction(() => document.title === "📞 Alice is calling");
    expect(await bob2.page.evaluate(() => (window as { notified?: string[] }).notified)).toEqual([
      "📞 Alice is calling",
    ]);
    await bob1.shot("02-bob-two-windows-ringing");
    await bob2.shot("02-bob-window-2-ringing");

    await bob1.click("Accept");
    await bob1.screen("in-call");
    await bob1.shot("03-bob-answered-here");
    await bob2.screen("elsewhere");
    await bob2.sees("Answered on another device");
    expect(await bob2.page.getByRole("button", { name: "Hang up" }).count()).toBe(0);
    expect(await bob2.page.getByRole("button", { name: "Accept" }).count()).toBe(0);
    await bob2.shot("04-bob-answered-elsewhere");
    for (const p of everyone()) await tone(p, ""); // every tone stops with the answer
    await bob2.page.waitForFunction(() => document.title === "Ringback demo"); // flash too
    await bob2.page.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
    });

    await alice.screen("in-call");
    for (const p of [alice, bob1]) {
      await timerRuns(p);
      await p.page.locator('[data-testid="media"]').waitFor(); // where RTC media plugs in
    }
    const callId = await callIdOf(alice);
    expect(await callIdOf(bob1)).toBe(callId);
    await alice.shot("05-in-call");

    await bob1.click("Hang up");
    for (const p of everyone()) await p.screen("home");
    for (const p of [alice, bob1]) await p.sees(/Call ended/);
    const seen = {
      alice: await historyRow(alice, callId),
      bob1: await historyRow(bob1, callId),
      bob2: await historyRow(bob2, callId),
    };
    expect(seen.alice.how).toBe("↗ Completed");
    expect(seen.bob1.how).toBe("↙ Completed");
    expect(seen.bob2).toEqual(seen.bob1); // the same user's history, from the server
    expect(seen.alice.duration).toMatch(/^\d\d:\d\d$/);
    expect(seen.alice.duration).not.toBe("00:00"); // the timer ran past a second
    expect(seen.bob1.duration).toBe(seen.alice.duration);
    await alice.shot("06-history");
    await bob2.shot("06-history-bob-window-2");
  }, 240_000);

  it("Bob's window closes mid-call: Alice sees the call dropped and is idle in seconds", async () => {
    const callId = await connect();
    await bob1.page.close(); // its pagehide quits the call (demo/src/leaving.ts)
    try {
      await alice.page
        .locator('[data-testid="alone"]', { hasText: "Call dropped: Bob left" })
        .waitFor({ timeout: 40_000 });
      await alice.shot("07-call-dropped");
      // The demo hangs up after a 5 s grace: idle before the 60 s heartbeat timeout could.
      await alice.page.locator('[data-screen="home"]').waitFor({ timeout: 40_000 });
      await bob2.screen("home");
      expect((await historyRow(alice, callId)).how).toBe("↗ Completed");
    } finally {
      bob1 = await reopen("bob"); // a fresh window (another device) for what follows
    }
  }, 240_000);

  it("the caller's window closes while it rings: Bob stops ringing at once", async () => {
    await alice.click("Call Bob");
    for (const b of [bob1, bob2]) await b.screen("ringing");
    const callId = await bob1.page.locator('[data-screen="ringing"]').getAttribute("data-call");
    await alice.page.close(); // its pagehide withdraws the call through the HTTP door
    try {
      for (const b of [bob1, bob2]) {
        await b.page.locator('[data-screen="home"]').waitFor({ timeout: 40_000 });
        await b.sees("Missed call from Alice");
        await tone(b, "");
      }
      expect(await historyRow(bob1, callId ?? "")).toEqual({ how: "↙ Missed", duration: "" });
      // Withdrawn by Alice's pagehide (canceled, by her), not ended by her heartbeat timeout
      // (caller_offline) nor by the invitation's (no_answer).
      const call = (
        await adminDb()
          .doc(callPath(callId ?? ""))
          .get()
      ).data();
      expect([call?.end_reason, call?.ended_by]).toEqual(["canceled", "alice"]);
    } finally {
      alice = await reopen("alice");
    }
  }, 240_000);

  it("a reload mid-call keeps the call: the reloaded window rejoins", async () => {
    const callId = await connect();
    await bob1.page.reload();
    await bob1.screen("in-call");
    expect(await callIdOf(bob1)).toBe(callId);
    await alice.screen("in-call");
    await alice.page
      .locator('.person.state-accepted[data-user="bob"]')
      .waitFor({ timeout: 40_000 });
    expect(await alice.page.locator('[data-screen="in-call"]').count()).toBe(1);
    await alice.click("Hang up");
    for (const p of everyone()) await p.screen("home");
  }, 240_000);

  it("no sign-in flash on reload, a phone-width header, a favicon, presence", async () => {
    await alice.page.addInitScript(() => {
      const w = window as unknown as { sawSignIn: boolean };
      w.sawSignIn = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-screen="signin"]')) w.sawSignIn = true;
      }).observe(document, { subtree: true, childList: true });
    });
    await alice.page.reload();
    await alice.screen("home");
    expect(await alice.page.evaluate(() => (window as { sawSignIn?: boolean }).sawSignIn)).toBe(
      false,
    );
    const icon = await alice.page.locator('link[rel="icon"]').getAttribute("href");
    expect(icon).toMatch(/^data:image\/svg\+xml,/);

    const carol = await openAs(browser, "carol", 30, { width: 375, height: 740 });
    carol.page.setDefaultTimeout(WAIT_MS);
    const header = await carol.page.evaluate(() => {
      const bar = document.querySelector(".bar") as HTMLElement;
      const top = (sel: string) => (document.querySelector(sel) as HTMLElement).offsetTop;
      return {
        overflow: bar.scrollWidth > bar.clientWidth,
        // Wrapped, the user's part would sit a line below the brand.
        oneLine: Math.abs(top(".brand") - top("#who")) < 12 && bar.offsetHeight < 64,
      };
    });
    expect(header).toEqual({ overflow: false, oneLine: true });
    await carol.shot("08-phone-width");

    const presenceOf = (name: string) =>
      carol.page.locator(`[data-contact="${name}"] [data-testid="presence"]`);
    await presenceOf("alice").filter({ hasText: "Available" }).waitFor();
    await connect();
    await presenceOf("bob").filter({ hasText: "Busy" }).waitFor();
    await presenceOf("alice").filter({ hasText: "Busy" }).waitFor();
    await carol.shot("09-presence");
    await alice.click("Hang up");
    await presenceOf("bob").filter({ hasText: "Available" }).waitFor();
    await carol.context.close();
  }, 240_000);
});

/**
 * Drives the web demo in the system Chromium (playwright-core; never a downloaded browser):
 * one browser context per person, as a person would open one window each.
 */
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";
import { adminDb, forget } from "../support/admin.js";

export const CHROMIUM = process.env.RINGBACK_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = path.resolve(".runtime", "screenshots");
export const DEMO_USERS = ["alice", "bob", "carol"] as const;
export type DemoUser = (typeof DEMO_USERS)[number];
const NAMES: Record<DemoUser, string> = { alice: "Alice", bob: "Bob", carol: "Carol" };

export function demoUrl(): string {
  const url = process.env.RINGBACK_DEMO_URL;
  if (!url)
    throw new Error(
      "RINGBACK_DEMO_URL is not set: run through `npm test` (the stack serves the demo)",
    );
  return url;
}

export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set RINGBACK_CHROMIUM)`,
    );
  }
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}

export interface Person {
  user: DemoUser;
  name: string;
  page: Page;
  context: BrowserContext;
  /** Waits for a screen of the demo: signin, home, calling, ringing, in-call. */
  screen(name: string): Promise<void>;
  /** Waits until the page shows `text`. */
  sees(text: string | RegExp): Promise<void>;
  click(button: string): Promise<void>;
  shot(name: string): Promise<void>;
  /** Reloads the page with another invitation timeout (the sign-in is kept). */
  reopen(ringTimeout: number): Promise<void>;
}

/** Opens the demo in a new window and signs in as `user`. */
export async function openAs(
  browser: Browser,
  user: DemoUser,
  ringTimeout = 30,
  viewport = { width: 900, height: 720 },
): Promise<Person> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const person: Person = {
    user,
    name: NAMES[user],
    page,
    context,
    screen: (name) =>
      page
        .locator(`[data-screen="${name}"]`)
        .waitFor()
        .then(() => undefined),
    sees: (text) =>
      page
        .getByText(text)
        .first()
        .waitFor()
        .then(() => undefined),
    click: (button) => page.getByRole("button", { name: button, exact: true }).click(),
    shot: (name) =>
      page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) }).then(() => undefined),
    async reopen(timeout) {
      await page.goto(`${demoUrl()}?ring_timeout=${timeout}`);
      await person.screen("home");
    },
  };
  await page.goto(`${demoUrl()}?ring_timeout=${ringTimeout}`);
  await person.screen("signin");
  if (user === "alice") await person.shot("sign-in"); // once is enough
  await person.click(`Sign in as ${person.name}`);
  await person.screen("home");
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  return person;
}

/**
 * Leaves no demo user in a call: forgets the calls of those still in one (a test that failed
 * midway, say), and forgets the demo users' ring counts. Idle users' docs stay: deleting a doc under a window's live listeners can hold
 * back that window's later snapshots on the emulator (docs/testing.md, "Clearing the database
 * under live listeners").
 */
export async function resetDemoUsers(): Promise<void> {
  const db = adminDb();
  // The ring limits (5 a minute from one caller to one callee) would leave a fast suite's
  // later rings undelivered: each test starts with no rings counted (no listener reads these).
  await Promise.all(
    DEMO_USERS.map((u) => db.collection(PRIVATE_COLLECTIONS.ringLogs).doc(u).delete()),
  );
  const docs = await Promise.all(DEMO_USERS.map((u) => db.collection("users").doc(u).get()));
  const busy = docs.filter((d) => d.exists && d.get("status") !== "idle");
  const calls = busy
    .map((d) => d.get("call_id") as string | null | undefined)
    .filter((c): c is string => !!c);
  if (busy.length === 0) return;
  await forget(
    [...new Set(calls)],
    busy.map((d) => d.id),
  );
}

/** A history row of call `callId` once it lists the call ended: its outcome and duration. */
export async function historyRow(
  p: Person,
  callId: string,
): Promise<{ how: string; duration: string }> {
  const row = p.page.locator(
    `[data-testid="history"] li[data-call="${callId}"][data-ended="true"]`,
  );
  await row.waitFor({ timeout: 30_000 });
  const how = await row.locator('[data-testid="outcome-text"]').innerText();
  const duration = row.locator('[data-testid="duration"]');
  return { how, duration: (await duration.count()) ? await duration.innerText() : "" };
}

/** Waits until the newest history row reads `how` ("↗ Declined", "↙ Missed", ...). */
export async function newestOutcome(p: Person, how: string): Promise<void> {
  await p.page.waitForFunction(
    (want) =>
      document.querySelector('[data-testid="history"] li.history-item [data-testid="outcome-text"]')
        ?.textContent === want,
    how,
    { timeout: 30_000 },
  );
}

/** The call the window is in (the media placeholder names it). */
export async function callIdOf(p: Person): Promise<string> {
  // The screen may show a moment before the call doc is read (data-call "").
  const media = p.page.locator('[data-testid="media"]:not([data-call=""])');
  await media.waitFor();
  return (await media.getAttribute("data-call")) ?? "";
}

/** `caller` clicks Call next to `callee`; resolves once the callee's window rings. */
export async function ring(caller: Person, callee: Person): Promise<void> {
  await caller.click(`Call ${callee.name}`);
  await callee.screen("ringing");
}

/** As `ring`, then the callee accepts; resolves once both windows show the call. */
export async function talk(caller: Person, callee: Person): Promise<void> {
  await ring(caller, callee);
  await callee.click("Accept");
  await caller.screen("in-call");
  await callee.screen("in-call");
}

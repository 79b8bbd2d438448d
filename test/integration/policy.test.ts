/**
 * The policy hook (docs/policy.md), asking the stack's settable hook and failing closed: set
 * here for this file alone (RINGBACK_POLICY_URL, RINGBACK_POLICY_FAIL=closed; each test file
 * runs in a process of its own and the callables run in it). A denied
 * invitee is not delivered, as a blocked one is: nothing reaches them and the caller's view
 * ends as no answer. A hook slower than 1.5 s fails closed through the callable's handler, and
 * open through the same adapters; a request without a good signature is refused.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startDirect } from "../../bench/lib/inProcess.js";
import { askPolicy, POLICY_BUDGET_MS } from "../../functions/src/adapters/calls/policy.js";
import { headerSignature } from "../../functions/src/channels/webhooks/signing.js";
import { callDoc, footprint, triggerSweep } from "../support/admin.js";
import { type Started, users } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";
import { directProject } from "../support/directProject.js";
import { inProcess } from "../support/inProcess.js";
import { control } from "../support/control.js";

afterAll(closeAll);

const SECRET = "test-policy-secret";
const receiver = `http://${process.env.RINGBACK_POLICY_RECEIVER ?? "(no RINGBACK_POLICY_RECEIVER)"}`;
// Read by the handlers at their first request, which comes after this.
process.env.RINGBACK_POLICY_URL = `${receiver}/policy`;
process.env.RINGBACK_POLICY_FAIL = "closed";
process.env.RINGBACK_WEBHOOK_SECRET = SECRET;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Got {
  headers: Record<string, string>;
  body: string;
  verified: boolean;
}

async function setHook(setting: { mode: string; deny?: string[]; delay_ms?: number }) {
  // Verified with this file's secret.
  expect((await control("PUT", "/policy", { ...setting, secret: SECRET })).status).toBe(200);
}
const requests = async (): Promise<Got[]> => (await control<Got[]>("GET", "/policy/requests")).body;

beforeEach(async () => {
  expect(inProcess, "the policy test runs the callables in process").toBe(true);
  await control("DELETE", "/policy/requests");
  await setHook({ mode: "allow" });
});

const start = (caller: TestUser, callees: TestUser[], extra: Record<string, unknown> = {}) =>
  caller.call<Started>("startCall", {
    callees: callees.map((c) => ({ id: c.uid })),
    type: 2,
    timeout: 8,
    ...extra,
  });

/** Undelivered invitees look pending to the caller, as any other until the deadline. */
async function looksInviting(callId: string, callees: TestUser[]) {
  const call = await callDoc(callId);
  for (const c of callees) expect(call.users[c.uid]).toMatchObject({ state: "inviting" });
}

/**
 * The caller's view ends as no answer at the deadline, for every undelivered invitee. (Waits
 * for the deadline the start named: the steps before may take seconds on a loaded stack.)
 */
async function endsAsNoAnswer(caller: TestUser, s: Started, callees: TestUser[]) {
  const callId = s.call_id;
  await sleep(Math.max(0, Date.parse(s.deadline_at) + 300 - Date.now()));
  await triggerSweep();
  await caller.waitNotification("/call/notify_invitees_answered_timeout", callId);
  const ended = await callDoc(callId);
  expect(ended).toMatchObject({ state: "ended", end_reason: "no_answer" });
  for (const c of callees) expect(ended.users[c.uid].state).toBe("timeout");
}

describe("the policy hook", () => {
  it("allows: the callee rings; the hook got exactly the signed request PROTOCOL names", async () => {
    const [alice, bob] = await users("alice", "bob");
    const s = await start(alice, [bob], { extended_data: "hi", mode: "advanced", timeout: 60 });
    await bob.waitState((u) => u?.status === "ringing" && u.call_id === s.call_id, "ringing");
    const got = await requests();
    expect(got).toHaveLength(1);
    expect(got[0]?.verified).toBe(true);
    expect(got[0]?.headers["ringback-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(JSON.parse(got[0]?.body ?? "")).toEqual({
      caller_id: alice.uid,
      callee_ids: [bob.uid],
      type: 2,
      mode: "advanced",
      extended_data: "hi",
    });
    await alice.call("cancelCall", { call_id: s.call_id });
  });

  it("denies: the denied callee sees nothing, the other rings, the caller hears no answer", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    await setHook({ mode: "deny", deny: [bob.uid] });
    const bobBefore = await footprint([bob.uid]);
    const s = await start(alice, [bob, carol]);
    expect(s.error_invitees).toEqual([]);
    await looksInviting(s.call_id, [bob]);
    await carol.waitState((u) => u?.status === "ringing" && u.call_id === s.call_id, "ringing");
    expect(await footprint([bob.uid])).toBe(bobBefore);
    expect((await bob.call<{ calls: unknown[] }>("listCalls", {})).calls).toEqual([]);
    await endsAsNoAnswer(alice, s, [bob]);
    expect(await footprint([bob.uid])).toBe(bobBefore);
  });

  it("denies an invitation into an advanced call the same way", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const s = await start(alice, [bob], { mode: "advanced", timeout: 60 });
    await bob.waitState((u) => u?.status === "ringing" && u.call_id === s.call_id, "ringing");
    await bob.call("acceptCall", { call_id: s.call_id });
    await setHook({ mode: "deny", deny: [carol.uid] });
    const carolBefore = await footprint([carol.uid]);
    await bob.call("inviteToCall", { call_id: s.call_id, callees: [{ id: carol.uid }] });
    const asked = (await requests()).at(-1);
    expect(JSON.parse(asked?.body ?? "")).toMatchObject({
      caller_id: bob.uid,
      callee_ids: [carol.uid],
      mode: "advanced",
    });
    expect((await callDoc(s.call_id)).users[carol.uid]).toMatchObject({ state: "inviting" });
    expect(await footprint([carol.uid])).toBe(carolBefore);
    await alice.call("endCall", { call_id: s.call_id });
  });

  it("slower than 1.5 s, failing closed: the start answers within the budget and rings no one", async () => {
    const [alice, bob] = await users("alice", "bob");
    await setHook({ mode: "slow", delay_ms: 10_000 });
    const bobBefore = await footprint([bob.uid]);
    const t0 = Date.now();
    const s = await start(alice, [bob]);
    // It did not wait for the hook's answer (10 s), only for its budget.
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(POLICY_BUDGET_MS - 50);
    await looksInviting(s.call_id, [bob]);
    expect(await footprint([bob.uid])).toBe(bobBefore);
    await endsAsNoAnswer(alice, s, [bob]);
  });

  it("slower than 1.5 s, failing open: everyone is rung (the adapters in process)", async () => {
    await setHook({ mode: "slow", delay_ms: 10_000 });
    const ctx = await directProject("demo-ringback-policy-open");
    const settings = { url: `${receiver}/policy`, secrets: [SECRET] };
    const req = (caller_id: string, callee_ids: string[]) => ({
      caller_id,
      callee_ids,
      type: 1,
      mode: "common",
      extended_data: "",
    });
    const t0 = Date.now();
    const [open, closed] = await Promise.all([
      askPolicy({ ...settings, fail: "open" }, req("a", ["b", "c"])),
      askPolicy({ ...settings, fail: "closed" }, req("d", ["e", "f"])),
    ]);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect([...open]).toEqual([]);
    expect([...closed].sort()).toEqual(["e", "f"]);
    const s = await startDirect(ctx, { caller: "a", callees: ["b", "c"], denied: open });
    const call = (await ctx.db.collection("calls").doc(s.call_id).get()).data();
    expect(call?.user_ids).toEqual(["a", "b", "c"]); // both delivered
    const none = await startDirect(ctx, { caller: "d", callees: ["e", "f"], denied: closed });
    const shut = (await ctx.db.collection("calls").doc(none.call_id).get()).data();
    expect(shut?.user_ids).toEqual(["d"]); // neither delivered
    expect(shut?.users.e.state).toBe("inviting"); // what the caller sees
  });

  it("refuses an unsigned or badly signed request, and one signed with another secret", async () => {
    const body = JSON.stringify({
      caller_id: "x",
      callee_ids: ["y"],
      type: 1,
      mode: "common",
      extended_data: "",
    });
    const t = Math.floor(Date.now() / 1000);
    const tries: Record<string, string>[] = [
      {},
      { "Ringback-Signature": "garbage" },
      { "Ringback-Signature": headerSignature("not-the-secret", t, body) },
      { "Ringback-Signature": headerSignature(SECRET, t - 600, body) }, // stale: a replay
      { "Ringback-Signature": headerSignature(SECRET, t, `${body} `) }, // another body
    ];
    for (const headers of tries) {
      const res = await fetch(`${receiver}/policy`, { method: "POST", headers, body });
      expect(res.status).toBe(401);
    }
    expect((await requests()).map((r) => r.verified)).toEqual([false, false, false, false, false]);
  });
});

describe("the docs' example hook (examples/policy-hook.mjs)", () => {
  it("verifies before it parses, answers its deny list, and survives junk", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn("node", ["examples/policy-hook.mjs"], {
      env: { ...process.env, PORT: String(port), RINGBACK_WEBHOOK_SECRET: SECRET },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((r) => child.stdout.once("data", () => r()));
      const url = `http://127.0.0.1:${port}/`;
      const post = (body: string, headers: Record<string, string> = {}) =>
        fetch(url, { method: "POST", headers, body }).then((r) => r.status);
      const t = Math.floor(Date.now() / 1000);
      const sign = (b: string) => ({ "Ringback-Signature": headerSignature(SECRET, t, b) });
      expect(await post("not json")).toBe(401); // unsigned: never parsed
      expect(await post("x".repeat(5_000_000)).catch(() => "dropped")).not.toBe(200);
      expect(await post("not json", sign("not json"))).toBe(400);
      const good = JSON.stringify({
        caller_id: "mallory",
        callee_ids: ["bob", "carol"],
        type: 1,
        mode: "common",
        extended_data: "",
      });
      const res = await fetch(url, { method: "POST", headers: sign(good), body: good });
      expect(await res.json()).toEqual({ deny: ["bob"] });
      expect(child.exitCode).toBeNull();
      expect(await post(randomUUID(), sign("other"))).toBe(401);
    } finally {
      child.kill();
    }
  });
});

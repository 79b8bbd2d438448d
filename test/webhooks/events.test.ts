/**
 * Every callback event, as the app's backend receives it: seed 002's call_create exactly,
 * its siblings with their fields and types, both signatures, ordered and deduplicable.
 * Real emulators, a real HTTP receiver (docs/protocol.md#server-to-server-callbacks).
 */
import { spawn } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAll, type TestUser } from "../support/clients.js";
import { connect, ring, users, type Started } from "../support/calls.js";
import { Receiver, webhookEnv } from "../support/receiver.js";
import { eventsOf, expectSigned, fieldsOf, logIn, outboxOf } from "./webhookTestKit.js";

const receiver = new Receiver();
let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser, erin: TestUser;

beforeAll(async () => {
  await receiver.start();
  [alice, bob, carol, dave, erin] = await users("alice", "bob", "carol", "dave", "erin");
  await Promise.all([alice, bob, carol, erin].map(logIn)); // dave stays logged out
});
afterAll(async () => {
  await closeAll();
  await receiver.close();
});

/** Waits until the receiver has accepted `n` distinct events of `callId`. */
const received = async (callId: string, n: number) => {
  await receiver.until(() => receiver.accepted(callId).length >= n, `${n} events of ${callId}`);
  return receiver.accepted(callId);
};

describe("a one-to-one call", () => {
  it("call_create (seed 002, exactly), call_accept, call_end; signed, ordered", async () => {
    const s = await ring(alice, bob, { extended_data: "ctx-1" });
    await bob.call("acceptCall", { call_id: s.call_id, extended_data: "hi" });
    await alice.call("endCall", { call_id: s.call_id });
    const got = await received(s.call_id, 3);
    expect(eventsOf(got)).toEqual(["call_create", "call_accept", "call_end"]);
    const [create, acc, end] = got;
    expect(Object.keys(create?.body ?? {}).sort()).toEqual(
      [
        "appid",
        "event",
        "nonce",
        "signature",
        "timestamp",
        "call_id",
        "user_ids",
        "create_time",
        "payload",
        "caller",
        "timeout",
      ].sort(),
    );
    expect(create?.body).toMatchObject({
      appid: webhookEnv.appId,
      call_id: s.call_id,
      user_ids: [bob.uid],
      payload: "ctx-1",
      caller: alice.uid,
      timeout: 60,
    });
    for (const k of ["timestamp", "create_time", "timeout"]) {
      expect(Number.isInteger(create?.body[k]), k).toBe(true);
    }
    // The nonce is the event id: signed, stable across retries, what receivers dedupe on.
    expect(create?.body.nonce).toBe(create?.headers["ringback-event-id"]);
    // create_time: the call's creation, whole seconds (its deadline is `timeout` later)
    expect(create?.body.create_time).toBe(Math.floor(Date.parse(s.deadline_at) / 1000) - 60);
    expect(fieldsOf(acc!)).toEqual({ user_id: bob.uid, extend_data: "hi" });
    expect(fieldsOf(end!)).toEqual({ user_id: alice.uid, end_reason: "completed" });
    for (const d of got) {
      expectSigned(d);
      expect(d.headers["content-type"]).toMatch(/^application\/json/);
    }
    const ids = got.map((d) => String(d.headers["ringback-event-id"]));
    expect(new Set(ids).size).toBe(3);
    const seqs = got.map((d) => Number(d.headers["ringback-event-seq"]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const stamps = got.map((d) => d.body.timestamp as number);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    // (each attempt is recorded a moment after the receiver answers it)
    let box = await outboxOf(s.call_id);
    for (let i = 0; i < 50 && box.some((e) => e.status !== "delivered"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      box = await outboxOf(s.call_id);
    }
    expect(box.map((e) => [e.event, e.status, e.attempts.length])).toEqual([
      ["call_create", "delivered", 1],
      ["call_accept", "delivered", 1],
      ["call_end", "delivered", 1],
    ]);
  });

  it("decline: call_reject type 1, then call_end declined by the server", async () => {
    const s = await ring(alice, bob);
    await bob.call("declineCall", { call_id: s.call_id, type: 1, extended_data: "busy now" });
    const got = await received(s.call_id, 3);
    expect(got.map((d) => [d.body.event, fieldsOf(d)])).toEqual([
      ["call_create", expect.anything()],
      ["call_reject", { user_id: bob.uid, extend_data: "busy now", type: 1 }],
      ["call_end", { user_id: "", end_reason: "declined" }],
    ]);
  });

  it("the server's busy decline: call_reject type 2, then call_end busy", async () => {
    const inCall = await connect(carol, erin);
    const s = await alice.call<Started>("startCall", { callees: [{ id: carol.uid }], type: 1 });
    const got = await received(s.call_id, 3);
    expect(got.map((d) => [d.body.event, fieldsOf(d)])).toEqual([
      ["call_create", expect.objectContaining({ user_ids: [carol.uid] })],
      ["call_reject", { user_id: carol.uid, extend_data: "", type: 2 }],
      ["call_end", { user_id: "", end_reason: "busy" }],
    ]);
    await carol.call("endCall", { call_id: inCall });
  });

  it("cancel: call_cancel by the caller naming the canceled, then call_end", async () => {
    const s = await ring(alice, bob);
    await alice.call("cancelCall", { call_id: s.call_id });
    const got = await received(s.call_id, 3);
    expect(got.slice(1).map((d) => [d.body.event, fieldsOf(d)])).toEqual([
      ["call_cancel", { user_id: alice.uid, user_ids: [bob.uid], extend_data: "" }],
      ["call_end", { user_id: alice.uid, end_reason: "canceled" }],
    ]);
  });

  it("no answer: call_timeout naming who did not answer, then call_end no_answer", async () => {
    const s = await ring(alice, bob, { timeout: 1 });
    const got = await received(s.call_id, 3);
    expect(got.slice(1).map((d) => [d.body.event, fieldsOf(d)])).toEqual([
      ["call_timeout", { user_ids: [bob.uid] }],
      ["call_end", { user_id: "", end_reason: "no_answer" }],
    ]);
  });
});

describe("logged-out invitees (no registered device)", () => {
  it("are left out of call_create; none is sent when every invitee is logged out", async () => {
    const both = await alice.call<Started>("startCall", {
      callees: [{ id: bob.uid }, { id: dave.uid }],
      type: 1,
    });
    await alice.call("cancelCall", { call_id: both.call_id });
    const got = await received(both.call_id, 3);
    expect(got[0]?.body).toMatchObject({ event: "call_create", user_ids: [bob.uid] });

    const none = await alice.call<Started>("startCall", { callees: [{ id: dave.uid }], type: 1 });
    await alice.call("cancelCall", { call_id: none.call_id });
    const only = await received(none.call_id, 2);
    expect(eventsOf(only)).toEqual(["call_cancel", "call_end"]);
    expect((await outboxOf(none.call_id)).map((e) => e.event)).toEqual(["call_cancel", "call_end"]);
  });
});

describe("an invitee who blocked the caller (not delivered)", () => {
  it("is left out of every callback: the backend learns the truth there", async () => {
    const [mallory, victim] = await users("mallory", "victim");
    await Promise.all([mallory, victim].map(logIn));
    await victim.call("blockUser", { user_id: mallory.uid });
    const s = await mallory.call<Started>("startCall", {
      callees: [{ id: victim.uid }, { id: erin.uid }],
      type: 1,
    });
    await mallory.call("cancelCall", { call_id: s.call_id });
    const got = await received(s.call_id, 3);
    expect(eventsOf(got)).toEqual(["call_create", "call_cancel", "call_end"]);
    expect(got[0]?.body).toMatchObject({ event: "call_create", user_ids: [erin.uid] });
    expect(got[1]?.body).toMatchObject({ event: "call_cancel", user_ids: [erin.uid] });
    expect(JSON.stringify(got.map((d) => d.body))).not.toContain(victim.uid);
  });
});

describe("advanced mode", () => {
  it("call_invite, call_reject, call_join, call_quit, call_end all_quit", async () => {
    const s = await ring(alice, bob, { mode: "advanced" });
    await bob.call("acceptCall", { call_id: s.call_id });
    await bob.call("inviteToCall", { call_id: s.call_id, callees: [{ id: carol.uid }] });
    await carol.waitState((u) => u?.status === "ringing", "carol rings");
    await carol.call("declineCall", { call_id: s.call_id, type: 1 });
    await carol.call("joinCall", { call_id: s.call_id });
    for (const u of [alice, bob, carol]) await u.call("quitCall", { call_id: s.call_id });
    const got = await received(s.call_id, 9);
    expect(got.map((d) => [d.body.event, fieldsOf(d)])).toEqual([
      ["call_create", expect.anything()],
      ["call_accept", { user_id: bob.uid, extend_data: "" }],
      ["call_invite", { user_id: bob.uid, user_ids: [carol.uid] }],
      ["call_reject", { user_id: carol.uid, extend_data: "", type: 1 }],
      ["call_join", { user_id: carol.uid }],
      ["call_quit", { user_id: alice.uid }],
      ["call_quit", { user_id: bob.uid }],
      ["call_quit", { user_id: carol.uid }],
      ["call_end", { user_id: "", end_reason: "all_quit" }],
    ]);
  });
});

describe("refused commands", () => {
  it("send nothing: no outbox entry, no delivery", async () => {
    const s = await ring(alice, bob);
    await received(s.call_id, 1);
    const ids = async () => (await outboxOf(s.call_id)).map((e) => e.event_id);
    const before = await ids();
    await expect(carol.call("acceptCall", { call_id: s.call_id })).rejects.toThrow();
    await expect(alice.call("acceptCall", { call_id: s.call_id })).rejects.toThrow();
    expect(await ids()).toEqual(before);
    await alice.call("cancelCall", { call_id: s.call_id });
    const got = await received(s.call_id, 3);
    expect(eventsOf(got)).toEqual(["call_create", "call_cancel", "call_end"]);
  });
});

describe("the README's receiver (examples/webhook-receiver.mjs)", () => {
  it("accepts real events, dedupes, and refuses a forged one", async () => {
    await receiver.close();
    const child = spawn("node", ["examples/webhook-receiver.mjs"], {
      env: { ...process.env, PORT: webhookEnv.url.port },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    const printed = async (text: string) => {
      for (let i = 0; i < 200 && !out.includes(text); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain(text);
    };
    try {
      await printed("listening");
      const [caller, callee] = await users("caller", "callee");
      await logIn(callee);
      const s = await ring(caller, callee);
      await caller.call("cancelCall", { call_id: s.call_id });
      for (const e of ["call_create", "call_cancel", "call_end"])
        await printed(`${e} ${s.call_id}`);
      const forged = await fetch(webhookEnv.url, {
        method: "POST",
        headers: {
          "Ringback-Signature": `t=${Math.floor(Date.now() / 1000)},v1=00`,
          "Ringback-Event-Id": "x",
        },
        body: JSON.stringify({
          event: "call_end",
          call_id: "forged",
          timestamp: 1,
          nonce: "1",
          signature: "0",
        }),
      });
      expect(forged.status).toBe(401);
      expect(out).not.toContain("forged");
      // Junk: an unauthenticated non-JSON body, a huge one, a signed non-JSON one.
      const post = (body: string, sig?: string) =>
        fetch(webhookEnv.url, {
          method: "POST",
          headers: sig ? { "Ringback-Signature": sig } : {},
          body,
        }).then(
          (r) => r.status,
          () => 0, // the receiver may hang up on a body it refuses
        );
      const t = Math.floor(Date.now() / 1000);
      expect(await post("not json")).toBe(401);
      expect([0, 413]).toContain(await post("x".repeat(2 * 1024 * 1024)));
      expect(await post("not json", sign("not json", t))).toBe(400);
      // A replay of a signed event under a new Ringback-Event-Id is processed once.
      const e = signedEvent("replayed-call", t);
      expect(await post(e.raw, e.header)).toBe(200);
      expect(
        await fetch(webhookEnv.url, {
          method: "POST",
          headers: { "Ringback-Signature": e.header, "Ringback-Event-Id": "another-id" },
          body: e.raw,
        }).then((r) => r.status),
      ).toBe(200);
      await printed("call_end replayed-call");
      expect(out.split("\n").filter((l) => l.startsWith("call_end replayed-call "))).toHaveLength(
        1,
      );
      // While a secret rotates the header carries one v1= per secret: still verified.
      const r = signedEvent("rotated-call", t);
      const other = createHmac("sha256", "the-next-secret").update(`${t}.${r.raw}`).digest("hex");
      const rotated = r.header.replace(/^t=(\d+),/, `t=$1,v1=${other},`);
      expect(await post(r.raw, rotated)).toBe(200);
      await printed("call_end rotated-call");
      // It is still alive.
      expect(await post("{}", "t=1,v1=00")).toBe(401);
    } finally {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill();
      await exited; // its port is free again
      await receiver.start();
    }
  });
});

/** The Ringback-Signature header for `raw` at Unix second `t`, with the test secret. */
function sign(raw: string, t: number): string {
  return `t=${t},v1=${createHmac("sha256", webhookEnv.secret).update(`${t}.${raw}`).digest("hex")}`;
}

/** A correctly signed call_end event for `callId`: its raw body and header. */
function signedEvent(callId: string, t: number): { raw: string; header: string } {
  const nonce = `${callId}-1-cb0`;
  const signature = createHash("sha1")
    .update([webhookEnv.secret, String(t), nonce].sort().join(""))
    .digest("hex");
  const raw = JSON.stringify({
    appid: webhookEnv.appId,
    event: "call_end",
    nonce,
    signature,
    timestamp: t,
    call_id: callId,
    user_id: "",
    end_reason: "completed",
  });
  return { raw, header: sign(raw, t) };
}

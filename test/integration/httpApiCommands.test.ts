/**
 * callApi, the HTTP door (docs/http-api.md): ZEGO Call's six commands with the sample bodies
 * of its business-server protocol, over raw HTTP with a bearer ID token; every refusal's
 * status and code; bad requests refused with nothing written; one call driven through both
 * doors. The notification stream: httpApiStream.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Timestamp } from "firebase-admin/firestore";
import { adminDb, footprint, forceState } from "../support/admin.js";
import { ring, users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { api, idToken } from "../support/http.js";
import { expectOk, expectRefused, newCallId, startBody } from "../support/httpAnswers.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";

afterAll(closeAll);

describe("the six commands with the seed's sample bodies", () => {
  it("start_call, accept_call, heartbeat, end_call: a whole call over HTTP", async () => {
    const [alice, bob] = await users("alice", "bob");
    const call_id = newCallId();
    const started = expectOk(await api(alice, "start_call", startBody(call_id, alice, bob)));
    expect(started).toMatchObject({ call_id, timeout: 60, error_invitees: [] });
    const invited = await bob.waitNotification("/call/notify_call_invited", call_id);
    expect(invited.body).toMatchObject({ caller: { id: alice.uid }, type: 1 });

    const accepted = expectOk(await api(bob, "accept_call", { id: bob.uid, call_id }));
    expect(accepted).toMatchObject({ call_id, state: "ongoing", user_state: "accepted" });
    await alice.waitNotification("/call/notify_call_accept", call_id);

    const beat = expectOk(await api(alice, "heartbeat", { id: alice.uid, call_id }));
    expect(beat).toMatchObject({ call_id, state: "ongoing" });

    const ended = expectOk(await api(bob, "end_call", { id: bob.uid, call_id }));
    expect(ended).toMatchObject({ state: "ended", end_reason: "completed" });
    const end = await alice.waitNotification("/call/notify_call_end", call_id);
    expect(end.body).toEqual({ call_id, id: bob.uid });
  });

  it("cancel_call with callee_id", async () => {
    const [alice, bob] = await users("alice", "bob");
    const call_id = newCallId();
    expectOk(await api(alice, "start_call", startBody(call_id, alice, bob)));
    const canceled = expectOk(
      await api(alice, "cancel_call", { id: alice.uid, call_id, callee_id: bob.uid }),
    );
    expect(canceled).toMatchObject({ call_id, state: "ended", end_reason: "canceled" });
    const n = await bob.waitNotification("/call/notify_call_canceled", call_id);
    expect(n.body).toEqual({ call_id, caller_id: alice.uid });
  });

  it("decline_call with caller_id and type 1, and type 2 (busy)", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    for (const [callee, type] of [
      [bob, 1],
      [carol, 2],
    ] as const) {
      const call_id = newCallId();
      expectOk(await api(alice, "start_call", startBody(call_id, alice, callee)));
      const declined = expectOk(
        await api(callee, "decline_call", { id: callee.uid, caller_id: alice.uid, call_id, type }),
      );
      expect(declined).toMatchObject({ call_id, state: "ended", user_state: "rejected" });
      const n = await alice.waitNotification("/call/notify_call_decline", call_id);
      expect(n.body).toMatchObject({ call_id, callee_id: callee.uid, type });
    }
  });
});

describe("each refusal: its HTTP status and code, nothing written", () => {
  it("403 impersonation, caller_mismatch, not_in_call; 404 call_not_found, user_not_found", async () => {
    const [alice, bob, eve] = await users("alice", "bob", "eve");
    const { call_id } = await ring(alice, bob);
    const before = await footprint([alice.uid, bob.uid, eve.uid]);
    const as = (id: string) => ({ id, call_id });
    expectRefused(
      await api(eve, "start_call", startBody(newCallId(), alice, bob)),
      403,
      40301,
      "impersonation",
    );
    for (const command of ["cancel_call", "accept_call", "end_call", "heartbeat"]) {
      expectRefused(await api(eve, command, as(bob.uid)), 403, 40301, "impersonation");
      expectRefused(await api(eve, command, as(eve.uid)), 403, 40303, "not_in_call");
      expectRefused(
        await api(eve, command, { id: eve.uid, call_id: "no-such-call" }),
        404,
        40401,
        "call_not_found",
      );
    }
    expectRefused(
      await api(eve, "decline_call", { ...as(bob.uid), caller_id: alice.uid, type: 1 }),
      403,
      40301,
      "impersonation",
    );
    expectRefused(
      await api(bob, "decline_call", { ...as(bob.uid), caller_id: eve.uid, type: 1 }),
      403,
      40302,
      "caller_mismatch",
    );
    expectRefused(
      await api(eve, "start_call", { callees: [{ id: "nobody-at-all" }], type: 1 }),
      404,
      40402,
      "user_not_found",
    );
    expect(await footprint([alice.uid, bob.uid, eve.uid])).toBe(before);
  });

  it("409 by state: busy, call_ended, already_answered, not_invited, not_inviter, not_accepted, call_exists", async () => {
    const [alice, bob, carol] = await users("alice", "bob", "carol");
    const { call_id } = await ring(alice, bob);
    const before = await footprint([alice.uid, bob.uid, carol.uid]);
    expectRefused(
      await api(alice, "start_call", startBody(newCallId(), alice, carol)),
      409,
      40901,
      "busy",
    );
    expectRefused(
      await api(alice, "accept_call", { id: alice.uid, call_id }),
      409,
      40904,
      "not_invited",
    );
    expectRefused(
      await api(bob, "cancel_call", { id: bob.uid, call_id, callee_id: alice.uid }),
      409,
      40905,
      "not_inviter",
    );
    expectRefused(
      await api(bob, "heartbeat", { id: bob.uid, call_id }),
      409,
      40907,
      "not_accepted",
    );
    expectRefused(
      await api(alice, "start_call", { call_id, callees: [{ id: bob.uid }], type: 2 }),
      409,
      40911,
      "call_exists",
    );
    expect(await footprint([alice.uid, bob.uid, carol.uid])).toBe(before);

    expectOk(await api(bob, "accept_call", { id: bob.uid, call_id }));
    expectRefused(
      await api(bob, "decline_call", { id: bob.uid, caller_id: alice.uid, call_id, type: 1 }),
      409,
      40903,
      "already_answered",
    );
    expectOk(await api(alice, "end_call", { id: alice.uid, call_id }));
    expectRefused(await api(bob, "heartbeat", { id: bob.uid, call_id }), 409, 40902, "call_ended");
  });

  it("409 not_in_call by state (cancel by an inviter no longer accepted)", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob, { mode: "advanced" });
    await forceState(call_id, alice.uid, "quit");
    const a = await api(alice, "cancel_call", { id: alice.uid, call_id, callee_id: bob.uid });
    expectRefused(a, 409, 40906, "not_in_call");
  });

  it("429 rate_limited with Retry-After, and 400 invalid_argument naming the field", async () => {
    const [mallory, bob] = await users("mallory", "bob");
    await adminDb()
      .collection(PRIVATE_COLLECTIONS.rateLimits)
      .doc(mallory.uid)
      .set({ tokens: 0, updated_at: Timestamp.now() });
    const before = await footprint([mallory.uid, bob.uid]);
    const limited = await api(mallory, "start_call", startBody(newCallId(), mallory, bob));
    expectRefused(limited, 429, 42901, "rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const bad = await api(bob, "decline_call", { call_id: "x", type: 3 });
    expectRefused(bad, 400, 40001, "invalid_argument");
    expect(bad.json.details).toMatchObject({ field: "type" });
    expect(await footprint([mallory.uid, bob.uid])).toBe(before);
  });
});

describe("bad requests are refused with nothing written", () => {
  it("malformed JSON, wrong types, huge bodies, unknown commands, wrong methods", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    const before = await footprint([alice.uid, bob.uid]);
    // Sent as text: Ringback parses it and answers 40002.
    const text = { headers: { "content-type": "text/plain" } };
    expectRefused(await api(bob, "accept_call", `{"call_id": "${call_id}"`, text), 400, 40002);
    expectRefused(await api(bob, "accept_call", "", text), 400, 40002, "malformed_json");
    // Sent as JSON, the platform's body parser refuses it first: 400, its own body.
    expect((await api(bob, "accept_call", `{"call_id": ${call_id}}`)).status).toBe(400);
    for (const body of [
      { call_id: 42 },
      { call_id, id: 7 },
      { call_id: [call_id] },
      [call_id],
      { call_id, extra: true },
    ]) {
      expectRefused(await api(bob, "accept_call", body), 400, 40001, "invalid_argument");
    }
    const huge = { call_id, extended_data: "x".repeat(300 * 1024) };
    expectRefused(await api(bob, "accept_call", huge), 413, 41301, "body_too_large");
    expectRefused(
      await api(bob, "accept_call", { call_id, pad: "é".repeat(2_000_000) }),
      413,
      41301,
    );
    for (const command of [
      "invite_call",
      "startCall",
      "acceptCall",
      "notify_call_invited",
      "../heartbeat",
    ]) {
      expectRefused(await api(bob, command, { call_id }), 404, 40403, "unknown_command");
    }
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const a = await api(bob, "accept_call", { call_id }, { method });
      expectRefused(a, 405, 40501, "method_not_allowed");
      expect(a.headers.get("allow")).toBe("POST");
    }
    const post = await api(bob, "notifications", {});
    expectRefused(post, 405, 40501);
    expect(post.headers.get("allow")).toBe("GET");
    expect(await footprint([alice.uid, bob.uid])).toBe(before);
  });

  it("missing, malformed and forged tokens are 401", async () => {
    const [alice, bob] = await users("alice", "bob");
    const { call_id } = await ring(alice, bob);
    const before = await footprint([alice.uid, bob.uid]);
    const token = await idToken(alice);
    const [h, p, s] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    // (The Auth emulator's own tokens are unsigned, and the Admin SDK takes unsigned tokens
    // from it, for callables too: a forged signature is only refused in production.)
    const forged = [
      "not-a-token",
      `${enc({ alg: "RS256", kid: "made-up" })}.${enc({ ...claims, sub: bob.uid })}.c2ln`,
      `${h}.${enc({ ...claims, aud: "another-project", iss: "https://securetoken.google.com/another-project" })}.${s}`,
      `${h}.${enc({ ...claims, exp: 1000, iat: 900, auth_time: 900 })}.${s}`,
    ];
    const body = { id: bob.uid, call_id };
    expectRefused(await api(null, "accept_call", body), 401, 40101, "unauthenticated");
    for (const t of forged) {
      const a = await api(t, "accept_call", body);
      expect(a.status, `${t}: ${a.text}`).toBe(401);
      expectRefused(a, 401, 40101, "unauthenticated");
    }
    const basic = await api(null, "accept_call", body, {
      headers: { authorization: `Basic ${Buffer.from("bob:pw").toString("base64")}` },
    });
    expectRefused(basic, 401, 40101);
    const badAppCheck = await api(bob, "accept_call", body, {
      headers: { "x-firebase-appcheck": "not-an-app-check-token" },
    });
    expectRefused(badAppCheck, 401, 40102, "app_check");
    // CORS is not observable here: the Functions emulator answers every origin itself
    // (firebase-tools' ExpressBasedEmulator); test/unit/httpDoor.test.ts covers the decision.
    expect(await footprint([alice.uid, bob.uid])).toBe(before);
  });
});

describe("one protocol, two doors", () => {
  it("a call started over HTTP is answered by a callable, and the other way round", async () => {
    const [alice, bob] = await users("alice", "bob");
    const first = newCallId();
    expectOk(await api(alice, "start_call", startBody(first, alice, bob)));
    await bob.waitState((s) => s?.status === "ringing" && s.call_id === first);
    await bob.call("acceptCall", { call_id: first });
    expectOk(await api(alice, "heartbeat", { id: alice.uid, call_id: first }));
    await alice.call("endCall", { call_id: first });
    // Ending an ended call is a repeat: success, no change (docs/protocol.md#operations).
    expect(expectOk(await api(bob, "end_call", { id: bob.uid, call_id: first }))).toMatchObject({
      state: "ended",
    });

    const { call_id: second } = await ring(bob, alice);
    expectOk(await api(alice, "accept_call", { id: alice.uid, call_id: second }));
    await bob.call("heartbeat", { call_id: second });
    const ended = expectOk(await api(bob, "end_call", { id: bob.uid, call_id: second }));
    expect(ended).toMatchObject({ state: "ended", end_reason: "completed" });

    // The same notifications as an all-callable call gets (lifecycle.test.ts).
    await bob.waitNotification("/call/notify_call_end", first);
    expect(bob.notifications(first).map((n) => n.path)).toEqual([
      "/call/notify_call_invited",
      "/call/notify_user_state_changed",
      "/call/notify_user_state_changed",
      "/call/notify_call_end",
    ]);
    expect(alice.notifications(second).map((n) => n.path)).toContain("/call/notify_call_invited");
    expect(bob.notifications(second).map((n) => n.path)).toContain("/call/notify_call_accept");
  });
});

/**
 * Living beside the app's own data (docs/protocol.md#living-beside-the-apps-own-data): an app
 * that keeps a profile in `users/{uid}`, written with admin rights before a call and again
 * while it rings, finds every field of it (string, number, map, array) and its own
 * subcollection intact after every command, the deadline task, the push task, the sweep and
 * both doors. A user whose doc holds only the app's fields calls and is called, and a
 * malformed Ringback field reads as idle and is repaired by the next call.
 */
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { afterAll, describe, expect, it } from "vitest";
import { USER_FIELDS } from "../../functions/src/model/documents.js";
import { USER_SUBCOLLECTIONS } from "../../functions/src/model/collections.js";
import { adminDb, silence, triggerSweep } from "../support/admin.js";
import { ring, users, type Started } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";
import { api } from "../support/http.js";
import { callPath, userPath } from "../support/names.js";
import { expectCallError } from "../support/expect.js";
import { waitPushes } from "../support/pushes.js";

afterAll(closeAll);

/** What the app keeps in a user's doc: a field of every kind Firestore has. */
const profile = (tag: string) => ({
  displayName: `Display ${tag}`,
  age: 42,
  score: 3.5,
  verified: true,
  prefs: { theme: "dark", ringtone: { name: "classic", volume: 7 } },
  tags: ["a", "b", tag],
  joined: Timestamp.fromMillis(1_700_000_000_000),
  nothing: null,
});

/** What the app writes while the call rings: a change of its fields, and one more. */
const later = (tag: string) => ({
  displayName: `Renamed ${tag}`,
  "prefs.theme": "light",
  tags: FieldValue.arrayUnion("ringing"),
  lastActive: `during ${tag}`,
});

const expectedAfter = (tag: string) => ({
  ...profile(tag),
  displayName: `Renamed ${tag}`,
  prefs: { theme: "light", ringtone: { name: "classic", volume: 7 } },
  tags: ["a", "b", tag, "ringing"],
  lastActive: `during ${tag}`,
});

const APP_SUB = "app_orders";

/** The app's profile and one doc of its own subcollection, written with admin rights. */
async function writeProfile(u: TestUser, tag: string): Promise<void> {
  const ref = adminDb().doc(userPath(u.uid));
  await ref.set(profile(tag), { merge: true });
  await ref.collection(APP_SUB).doc("o1").set({ item: "book", qty: 2 });
}

async function writeLater(u: TestUser, tag: string): Promise<void> {
  await adminDb().doc(userPath(u.uid)).update(later(tag));
}

/** The app's fields as it last wrote them, its subcollection intact, nothing else below. */
async function expectProfileKept(u: TestUser, tag: string, touched = true): Promise<void> {
  const ref = adminDb().doc(userPath(u.uid));
  const data = (await ref.get()).data() ?? {};
  const app = Object.fromEntries(
    Object.entries(data).filter(([k]) => !(USER_FIELDS as string[]).includes(k)),
  );
  expect(app, `${u.name}'s app fields`).toEqual(touched ? expectedAfter(tag) : profile(tag));
  expect((await ref.collection(APP_SUB).doc("o1").get()).data()).toEqual({ item: "book", qty: 2 });
  const subs = (await ref.listCollections()).map((c) => c.id);
  const allowed = [APP_SUB, ...Object.values(USER_SUBCOLLECTIONS)];
  for (const s of subs) expect(allowed, `subcollection ${s}`).toContain(s);
}

/** Both users' profiles, before the call and while it rings; `run` does the rest of the call. */
async function scenario(
  tag: string,
  start: (a: TestUser, b: TestUser) => Promise<string>,
  rest: (a: TestUser, b: TestUser, callId: string) => Promise<void>,
): Promise<void> {
  const [alice, bob] = await users(`alice-${tag}`, `bob-${tag}`);
  await writeProfile(alice, tag);
  await writeProfile(bob, tag);
  const callId = await start(alice, bob);
  await bob.waitState((s) => s?.status === "ringing" && s.call_id === callId, "ringing");
  await writeLater(alice, tag);
  await writeLater(bob, tag);
  await rest(alice, bob, callId);
  for (const u of [alice, bob]) {
    await u.waitState((s) => s?.status === "idle", `${u.name} idle`);
    await expectProfileKept(u, tag);
    expect(u.state()?.displayName, "the app's field in the user's own snapshot").toBe(
      `Renamed ${tag}`,
    );
  }
}

const startCallable = async (a: TestUser, b: TestUser, extra: Record<string, unknown> = {}) =>
  (await a.call<Started>("startCall", { callees: [{ id: b.uid }], type: 1, ...extra })).call_id;

describe("an app's profile in users/{uid} survives every path", () => {
  it("startCall, cancelCall", async () => {
    await scenario("cancel", startCallable, async (a, _b, call_id) => {
      await a.call("cancelCall", { call_id });
    });
  });

  it("ackCall, declineCall", async () => {
    await scenario("decline", startCallable, async (_a, b, call_id) => {
      await b.call("ackCall", { call_id, device_id: "bob-phone" });
      await b.call("declineCall", { call_id, type: 1 });
    });
  });

  it("acceptCall, heartbeat, listCalls, endCall", async () => {
    await scenario("accept", startCallable, async (a, b, call_id) => {
      await b.call("acceptCall", { call_id, device_id: "bob-phone" });
      await b.waitState((s) => s?.status === "in_call", "in call");
      await a.call("heartbeat", { call_id });
      await b.call("heartbeat", { call_id });
      const list = await b.call<{ calls: { call_id: string }[] }>("listCalls", {});
      expect(list.calls[0]?.call_id).toBe(call_id);
      await a.call("endCall", { call_id });
    });
  });

  it("advanced mode: inviteToCall, joinCall, quitCall, endCall", async () => {
    const [carol] = await users("carol-adv");
    await writeProfile(carol, "adv-carol");
    await scenario(
      "advanced",
      (a, b) => startCallable(a, b, { mode: "advanced" }),
      async (a, b, call_id) => {
        await b.call("acceptCall", { call_id });
        await a.call("inviteToCall", { call_id, callees: [{ id: carol.uid }] });
        await carol.waitState((s) => s?.status === "ringing", "carol ringing");
        await carol.call("joinCall", { call_id, device_id: "carol-laptop" });
        await carol.call("quitCall", { call_id });
        await b.call("endCall", { call_id });
      },
    );
    await carol.waitState((s) => s?.status === "idle", "carol idle");
    await expectProfileKept(carol, "adv-carol", false);
  });

  it("the deadline task times the invitation out", async () => {
    await scenario(
      "deadline",
      (a, b) => startCallable(a, b, { timeout: 2 }),
      async (_a, b, call_id) => {
        // Nobody answers: the deadline task ends it (the stack's sweep does not tick).
        await b.waitNotification("/call/notify_invitation_timeout", call_id);
      },
    );
  });

  it("the sweep times out a silent participant", async () => {
    await scenario("sweep", startCallable, async (a, b, call_id) => {
      await b.call("acceptCall", { call_id });
      await silence(call_id, b.uid, 61_000);
      await triggerSweep();
      await a.waitNotification("/call/notify_timeout", call_id);
      await a.call("endCall", { call_id }).catch(() => undefined); // already ended: fine
    });
  });

  it("registerDevice, the push task's ring and cancel, unregisterDevice", async () => {
    await scenario(
      "push",
      async (a, b) => {
        await b.call("registerDevice", {
          device_id: "bob-phone",
          platform: "android",
          fcm_token: `fcm-${b.uid}`,
        });
        return startCallable(a, b);
      },
      async (a, b, call_id) => {
        await waitPushes({ call_id, type: "ring", uid: b.uid }, (p) => p.length > 0, "ring push");
        await a.call("cancelCall", { call_id });
        await waitPushes({ call_id, type: "cancel", uid: b.uid }, (p) => p.length > 0, "cancel");
        await b.call("unregisterDevice", { device_id: "bob-phone" });
      },
    );
  });

  it("the HTTP door: start_call, heartbeat, accept_call, end_call", async () => {
    const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBe(200);
    await scenario(
      "http",
      async (a, b) => {
        const r = await api(a, "start_call", {
          caller: { id: a.uid, name: a.name },
          callees: [{ id: b.uid, name: b.name }],
          type: 1,
        });
        ok(r);
        return (r.json.data as Started).call_id;
      },
      async (a, b, call_id) => {
        ok(await api(a, "heartbeat", { id: a.uid, call_id }));
        ok(await api(b, "accept_call", { id: b.uid, call_id }));
        ok(await api(b, "end_call", { id: b.uid, call_id }));
      },
    );
  });
});

describe("users/{uid} without Ringback's fields, or with broken ones", () => {
  it("a user whose doc holds only the app's fields calls and is called", async () => {
    const [alice, bob] = await users("alice-only-app", "bob-only-app");
    await writeProfile(alice, "only");
    await writeProfile(bob, "only");
    const first = await ring(alice, bob);
    await bob.call("declineCall", { call_id: first.call_id, type: 1 });
    await alice.waitState((s) => s?.status === "idle", "alice idle");
    const back = await ring(bob, alice);
    await alice.call("acceptCall", { call_id: back.call_id });
    await bob.call("endCall", { call_id: back.call_id });
    for (const u of [alice, bob]) {
      await u.waitState((s) => s?.status === "idle", "idle");
      await expectProfileKept(u, "only", false);
    }
  });

  it("a malformed Ringback field reads as idle, and the next call repairs it", async () => {
    const [alice, bob] = await users("alice-bad", "bob-bad");
    await writeProfile(bob, "bad");
    // Another tool (or a bug of the app's) wrote Ringback's fields with the wrong types.
    await adminDb()
      .doc(userPath(bob.uid))
      .update({
        status: "ringing",
        call_id: 12345,
        incoming: "not a map",
        device_id: ["x"],
        updated_at: "yesterday",
      });
    const { call_id } = await ring(alice, bob);
    const ringing = (await adminDb().doc(userPath(bob.uid)).get()).data() ?? {};
    expect(ringing).toMatchObject({ status: "ringing", call_id, device_id: null });
    expect(ringing.updated_at).toBeInstanceOf(Timestamp);
    expect(ringing.incoming).toMatchObject({ call_id, caller: { id: alice.uid } });
    await bob.call("declineCall", { call_id, type: 1 });
    await bob.waitState((s) => s?.status === "idle", "bob idle");
    const after = (await adminDb().doc(userPath(bob.uid)).get()).data() ?? {};
    expect(after).toMatchObject({ status: "idle", call_id: null, incoming: null, device_id: null });
    expect(after.updated_at).toBeInstanceOf(Timestamp);
    await expectProfileKept(bob, "bad", false);
  });

  it("a status that names no call is idle: the user can be called", async () => {
    const [alice, bob] = await users("alice-dangling", "bob-dangling");
    await adminDb()
      .doc(userPath(bob.uid))
      .set({ status: "in_call", call_id: null, displayName: "B" }, { merge: true });
    const { call_id } = await ring(alice, bob);
    await alice.call("cancelCall", { call_id });
    await bob.waitState((s) => s?.status === "idle", "idle");
    expect((await adminDb().doc(userPath(bob.uid)).get()).get("displayName")).toBe("B");
  });
});

describe("a call document that no longer parses", () => {
  it("is refused with its path (data-loss), never a TypeError; listCalls leaves it out", async () => {
    const [alice, bob] = await users("alice-corrupt", "bob-corrupt");
    const { call_id } = await ring(alice, bob);
    await adminDb().doc(callPath(call_id)).update({ deadline_at: "not a time" });
    const err = await expectCallError(
      bob.call("acceptCall", { call_id }),
      "data-loss",
      "unreadable_document",
    );
    expect(err.details).toMatchObject({ path: callPath(call_id) });
    const list = await alice.call<{ calls: unknown[] }>("listCalls", {});
    expect(list.calls).toEqual([]);
  });
});

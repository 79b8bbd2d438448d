/**
 * The invariants checker can fail: on a database written by real callables it finds nothing,
 * and each corruption below (made with the admin SDK, as a bug in the server would leave
 * things) is reported under the invariant it breaks. A checker that found nothing here would
 * make every stress run pass.
 */
import type { DocumentReference } from "firebase-admin/firestore";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { adminDb, clearDatabase } from "../support/admin.js";
import { ringAll, users } from "../support/calls.js";
import { clearListening, closeAll, type TestUser } from "../support/clients.js";
import { checkInvariants, type Snapshot } from "../support/invariants.js";

afterAll(closeAll);

let alice: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;
let callId: string;
/** The snapshot taken while bob and carol still rang (before bob accepted). */
let ringing: Snapshot;

beforeAll(async () => {
  [alice, bob, carol, dave] = await users("alice", "bob", "carol", "dave");
});

beforeEach(async () => {
  await clearListening([alice, bob, carol, dave], clearDatabase);
  ({ call_id: callId } = await ringAll(alice, [bob, carol], { mode: "advanced" }));
  const first = await checkInvariants(adminDb());
  expect(first.violations).toEqual([]);
  ringing = first.snapshot;
  await bob.call("acceptCall", { call_id: callId });
  const second = await checkInvariants(adminDb(), ringing);
  expect(second.violations).toEqual([]);
});

const db = () => adminDb();
const callRef = () => db().collection("calls").doc(callId);
const notes = (uid: string) => db().collection("users").doc(uid).collection("notifications");

/** The notifications in `uid`'s channel telling that `who` is `state`. */
async function toldOf(uid: string, who: string, state: string): Promise<DocumentReference[]> {
  const all = await notes(uid).where("path", "==", "/call/notify_user_state_changed").get();
  return all.docs
    .filter((d) =>
      (d.get("body.users") as { id: string; state: string }[]).some(
        (u) => u.id === who && u.state === state,
      ),
    )
    .map((d) => d.ref);
}

async function violations(previous?: Snapshot): Promise<string[]> {
  return (await checkInvariants(db(), previous)).violations;
}

describe("the invariants checker reports each broken invariant", () => {
  it("1: a user busy in two live calls", async () => {
    const call = (await callRef().get()).data() ?? {};
    await db()
      .collection("calls")
      .doc(`${callId}-copy`)
      .set({ ...call, call_id: `${callId}-copy` });
    expect((await violations()).join("\n")).toMatch(/^1: .* is busy in 2 calls/m);
  });

  it("2: a user doc that disagrees with the calls", async () => {
    await db().collection("users").doc(carol.uid).update({ status: "idle", call_id: null });
    expect(await violations()).toContainEqual(expect.stringMatching(/^2: users\/.* says idle/));
    await db().collection("users").doc(dave.uid).set({ status: "in_call", call_id: "nowhere" });
    expect(await violations()).toContainEqual(
      expect.stringMatching(/^2: .* but no live call holds them/),
    );
  });

  it("3 and 4: an ended call without end_reason, with a user still accepted", async () => {
    await callRef().update({ state: "ended", next_deadline_at: null });
    const found = (await violations()).join("\n");
    expect(found).toMatch(/^3: ended call .* lacks end_reason/m);
    expect(found).toMatch(/^4: .* is still accepted in ended call/m);
  });

  it("5: a user moved back to ringing", async () => {
    const after = await checkInvariants(db());
    await callRef().update({ [`users.${bob.uid}.state`]: "inviting" });
    expect(await violations(after.snapshot)).toContainEqual(
      expect.stringMatching(/^5: .* moved accepted -> inviting/),
    );
  });

  it("6: a state change nobody was told of", async () => {
    // alice was in the audience all through bob's accept: drop what told her of it.
    const refs = await toldOf(alice.uid, bob.uid, "accepted");
    expect(refs.length).toBe(1);
    await refs[0]?.delete();
    expect(await violations(ringing)).toContainEqual(
      expect.stringMatching(/^6: .* was not told that .* is now accepted .*last told: inviting/),
    );
  });

  it("6: a state change told twice", async () => {
    const [ref] = await toldOf(carol.uid, bob.uid, "accepted");
    const doc = (await ref?.get())?.data() ?? {};
    await notes(carol.uid)
      .doc("again")
      .set({ ...doc, seq: Number(doc.seq) + 1 });
    expect(await violations()).toContainEqual(
      expect.stringMatching(/^6: .* was told twice that .* is accepted/),
    );
  });

  it("6: an answer not told by its own path, or told by it twice", async () => {
    const step = await checkInvariants(db());
    await carol.call("declineCall", { call_id: callId, type: 1 });
    expect(await violations(step.snapshot)).toEqual([]);
    const got = await notes(alice.uid).where("path", "==", "/call/notify_call_decline").get();
    expect(got.size).toBe(1);
    await got.docs[0]?.ref.delete();
    expect(await violations(step.snapshot)).toContainEqual(
      expect.stringMatching(/^6: .* got \/call\/notify_call_decline for .* 0 times, not once/),
    );
    const accept = await notes(alice.uid).where("path", "==", "/call/notify_call_accept").get();
    const doc = accept.docs[0]?.data() ?? {};
    await notes(alice.uid)
      .doc("again")
      .set({ ...doc, seq: Number(doc.seq) + 1 });
    expect(await violations()).toContainEqual(
      expect.stringMatching(/^6: .* got \/call\/notify_call_accept .* twice for/),
    );
  });

  it("6: an undelivered invitee who was told something", async () => {
    // carol, still ringing, as if she had been left undelivered (out of the shared
    // user_ids) while her invitation was written anyway.
    const call = (await callRef().get()).data() ?? {};
    await callRef().update({
      user_ids: (call.user_ids as string[]).filter((u) => u !== carol.uid),
    });
    expect(await violations()).toContainEqual(
      expect.stringMatching(/^6: .*, undelivered in .*, was told \/call\/notify_call_invited/),
    );
  });

  it("6: a ringing invitee without an invitation, and a notification to an outsider", async () => {
    const inv = await notes(carol.uid).where("path", "==", "/call/notify_call_invited").get();
    expect(inv.size).toBe(1);
    await notes(carol.uid)
      .doc("stray")
      .set({ ...inv.docs[0]?.data() });
    await notes(dave.uid)
      .doc("stray")
      .set({ ...inv.docs[0]?.data() });
    const found = (await violations()).join("\n");
    expect(found).toMatch(/^6: .* rings in .* with 2 invitations/m);
    expect(found).toMatch(/^6: .* got \/call\/notify_call_invited for .*, a call they are not in/m);
    await Promise.all([inv.docs[0]?.ref.delete(), notes(carol.uid).doc("stray").delete()]);
    expect(await violations()).toContainEqual(
      expect.stringMatching(/^6: .* rings in .* with 0 invitations/),
    );
  });

  it("6: an invitee canceled but never told", async () => {
    await alice.call("cancelCall", { call_id: callId });
    expect(await violations()).toEqual([]);
    const told = await notes(carol.uid).where("path", "==", "/call/notify_call_canceled").get();
    expect(told.size).toBe(1);
    await told.docs[0]?.ref.delete();
    expect(await violations()).toContainEqual(
      expect.stringMatching(/^6: .* was canceled in .* and told so 0 times/),
    );
  });

  it("7: a live invitation past its deadline, and a wrong next_deadline_at", async () => {
    const past = new Date(Date.now() - 60_000);
    await callRef().update({ [`users.${carol.uid}.deadline_at`]: past });
    const found = (await violations()).join("\n");
    expect(found).toMatch(/^7: .*'s invitation to .* is \d+ ms overdue/m);
    expect(found).toMatch(/^7: .* next_deadline_at .* is not/m);
  });
});

/**
 * The rules block that `npm run print-config` prints for the collection names under test (the
 * default ones, and others in npm test's smoke pass), as a whole rules file: every collection
 * × signed-out / owner / other user × read / write. Runs in its own emulator project so that
 * clearing it never touches other tests. test/rules/appRules.test.ts runs the example app's.
 */
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from "@firebase/rules-unit-testing";
import {
  collection,
  collectionGroup,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  query,
  setDoc,
  updateDoc,
  where,
  type Firestore,
} from "firebase/firestore";
import { afterAll, beforeAll, describe, it } from "vitest";
import { PRIVATE_COLLECTIONS as P } from "../../functions/src/model/collections.js";
import { rulesFile } from "../../scripts/ops/ringbackConfig.js";
import { env, hostPort } from "../support/env.js";
import { names } from "../support/names.js";

const U = names.users;
const C = names.calls;

let testEnv: RulesTestEnvironment;

beforeAll(async () => {
  const { host, port } = hostPort(env.firestoreHost);
  testEnv = await initializeTestEnvironment({
    projectId: "demo-ringback-rules",
    firestore: { host, port, rules: rulesFile(names) },
  });
  await testEnv.clearFirestore();
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    await setDoc(doc(db, `${C}/c1`), {
      call_id: "c1",
      user_ids: ["alice", "bob"],
      state: "ringing",
    });
    await setDoc(doc(db, `${U}/alice`), { status: "calling", call_id: "c1" });
    await setDoc(doc(db, `${U}/alice/notifications/n1`), {
      path: "/call/notify_call_accept",
      call_id: "c1",
    });
    await setDoc(doc(db, `${C}/c1/private/server`), { start_request_hash: "h", users: {} });
    await setDoc(doc(db, `${U}/alice/devices/phone`), { device_id: "phone", fcm_token: "t" });
    await setDoc(doc(db, `${U}/alice/blocked/mallory`), { blocked_at: 1 });
    // The app's own subcollection beside Ringback's: Ringback's block opens none of it.
    await setDoc(doc(db, `${U}/alice/app_private/x`), { note: "the app's" });
    await setDoc(doc(db, `${P.rateLimits}/alice`), { tokens: 3 });
    await setDoc(doc(db, "elsewhere/x"), { a: 1 });
    // The webhook outbox names a call and its users, yet no client may read it.
    await setDoc(doc(db, `${P.webhookEvents}/c1-1-cb0`), {
      call_id: "c1",
      event: "call_create",
      fields: { user_ids: ["alice"], caller: "alice" },
      status: "pending",
    });
    // The push outbox and token owners hold users' push tokens: server only.
    await setDoc(doc(db, `${P.pushJobs}/c1-ring-abc`), {
      call_id: "c1",
      uid: "alice",
      devices: { phone: { fcm_token: "t" } },
    });
    await setDoc(doc(db, `${P.pushTokens}/fcm_token-abc`), { uid: "alice", device_id: "phone" });
  });
});

afterAll(async () => {
  await testEnv.cleanup();
});

type Who = "signed-out" | "owner" | "other";
function dbAs(who: Who): Firestore {
  // rules-unit-testing hands out the compat type; the modular functions accept it at run time.
  if (who === "signed-out")
    return testEnv.unauthenticatedContext().firestore() as unknown as Firestore;
  return testEnv
    .authenticatedContext(who === "owner" ? "alice" : "eve")
    .firestore() as unknown as Firestore;
}

/** For each document: who may read it (nobody may write anything). */
const DOCS: { path: string; readers: Who[] }[] = [
  { path: `${C}/c1`, readers: ["owner"] },
  { path: `${U}/alice`, readers: ["owner"] },
  { path: `${U}/alice/notifications/n1`, readers: ["owner"] },
  { path: `${U}/alice/devices/phone`, readers: ["owner"] },
  // The server's private part of a call: not even its participants read it.
  { path: `${C}/c1/private/server`, readers: [] },
  { path: `${U}/alice/blocked/mallory`, readers: ["owner"] },
  { path: `${U}/alice/app_private/x`, readers: [] },
  { path: `${P.rateLimits}/alice`, readers: [] },
  { path: "elsewhere/x", readers: [] },
  { path: `${P.webhookEvents}/c1-1-cb0`, readers: [] },
  { path: `${P.pushJobs}/c1-ring-abc`, readers: [] },
  { path: `${P.pushTokens}/fcm_token-abc`, readers: [] },
];

describe("documents", () => {
  for (const { path, readers } of DOCS) {
    for (const who of ["signed-out", "owner", "other"] as Who[]) {
      const canRead = readers.includes(who);
      it(`${path}: ${who} ${canRead ? "can" : "cannot"} read`, async () => {
        const p = getDoc(doc(dbAs(who), path));
        await (canRead ? assertSucceeds(p) : assertFails(p));
      });
      it(`${path}: ${who} cannot create, update or delete`, async () => {
        const db = dbAs(who);
        await assertFails(setDoc(doc(db, path), { state: "ended" }));
        await assertFails(setDoc(doc(db, `${path}-new`), { user_ids: ["alice", "eve"] }));
        await assertFails(updateDoc(doc(db, path), { state: "ended" }));
        await assertFails(deleteDoc(doc(db, path)));
      });
    }
  }
});

describe("queries", () => {
  it("a user lists the calls that name them, not others'", async () => {
    await assertSucceeds(
      getDocs(query(collection(dbAs("owner"), C), where("user_ids", "array-contains", "alice"))),
    );
    await assertFails(
      getDocs(query(collection(dbAs("other"), C), where("user_ids", "array-contains", "alice"))),
    );
    await assertFails(getDocs(collection(dbAs("owner"), C)));
    await assertFails(
      getDocs(
        query(collection(dbAs("signed-out"), C), where("user_ids", "array-contains", "alice")),
      ),
    );
  });

  it("nobody lists the push outbox or the token owners, not even the users they name", async () => {
    for (const who of ["signed-out", "owner", "other"] as Who[]) {
      for (const c of [P.pushJobs, P.pushTokens, P.rateLimits]) {
        await assertFails(getDocs(collection(dbAs(who), c)));
        await assertFails(getDocs(query(collection(dbAs(who), c), where("uid", "==", "alice"))));
      }
    }
  });

  it("nobody lists the webhook outbox, not even the users it names", async () => {
    for (const who of ["signed-out", "owner", "other"] as Who[]) {
      await assertFails(getDocs(collection(dbAs(who), P.webhookEvents)));
      await assertFails(
        getDocs(query(collection(dbAs(who), P.webhookEvents), where("call_id", "==", "c1"))),
      );
    }
  });

  it("a user lists only their own notifications", async () => {
    await assertSucceeds(getDocs(collection(dbAs("owner"), `${U}/alice/notifications`)));
    await assertFails(getDocs(collection(dbAs("other"), `${U}/alice/notifications`)));
    await assertFails(getDocs(collection(dbAs("signed-out"), `${U}/alice/notifications`)));
  });

  it("a user lists only their own devices", async () => {
    await assertSucceeds(getDocs(collection(dbAs("owner"), `${U}/alice/devices`)));
    await assertFails(getDocs(collection(dbAs("other"), `${U}/alice/devices`)));
  });

  it("collection-group queries reach nobody else's documents", async () => {
    for (const group of ["notifications", "devices", "blocked", "private"]) {
      for (const who of ["owner", "other", "signed-out"] as Who[]) {
        await assertFails(getDocs(collectionGroup(dbAs(who), group)));
      }
    }
  });
});

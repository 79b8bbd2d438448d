/**
 * firestore.rules: every collection × signed-out / owner / other user × read / write.
 * Runs in its own emulator project so that clearing it never touches other tests.
 */
import { readFileSync } from "node:fs";
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
import { env, hostPort } from "../support/env.js";

let testEnv: RulesTestEnvironment;

beforeAll(async () => {
  const { host, port } = hostPort(env.firestoreHost);
  testEnv = await initializeTestEnvironment({
    projectId: "demo-ringback-rules",
    firestore: { host, port, rules: readFileSync("firestore.rules", "utf8") },
  });
  await testEnv.clearFirestore();
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    const db = ctx.firestore();
    await setDoc(doc(db, "calls/c1"), {
      call_id: "c1",
      user_ids: ["alice", "bob"],
      state: "ringing",
    });
    await setDoc(doc(db, "users/alice"), { status: "calling", call_id: "c1" });
    await setDoc(doc(db, "users/alice/notifications/n1"), {
      path: "/call/notify_call_accept",
      call_id: "c1",
    });
    await setDoc(doc(db, "calls/c1/private/server"), { start_request_hash: "h", users: {} });
    await setDoc(doc(db, "users/alice/devices/phone"), { device_id: "phone", fcm_token: "t" });
    await setDoc(doc(db, "elsewhere/x"), { a: 1 });
    // The webhook outbox names a call and its users, yet no client may read it.
    await setDoc(doc(db, "webhook_events/c1-1-cb0"), {
      call_id: "c1",
      event: "call_create",
      fields: { user_ids: ["alice"], caller: "alice" },
      status: "pending",
    });
    // The push outbox and token owners hold users' push tokens: server only.
    await setDoc(doc(db, "push_jobs/c1-ring-abc"), {
      call_id: "c1",
      uid: "alice",
      devices: { phone: { fcm_token: "t" } },
    });
    await setDoc(doc(db, "push_tokens/fcm_token-abc"), { uid: "alice", device_id: "phone" });
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
  { path: "calls/c1", readers: ["owner"] },
  { path: "users/alice", readers: ["owner"] },
  { path: "users/alice/notifications/n1", readers: ["owner"] },
  { path: "users/alice/devices/phone", readers: ["owner"] },
  // The server's private part of a call: not even its participants read it.
  { path: "calls/c1/private/server", readers: [] },
  { path: "elsewhere/x", readers: [] },
  { path: "webhook_events/c1-1-cb0", readers: [] },
  { path: "push_jobs/c1-ring-abc", readers: [] },
  { path: "push_tokens/fcm_token-abc", readers: [] },
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
      getDocs(
        query(collection(dbAs("owner"), "calls"), where("user_ids", "array-contains", "alice")),
      ),
    );
    await assertFails(
      getDocs(
        query(collection(dbAs("other"), "calls"), where("user_ids", "array-contains", "alice")),
      ),
    );
    await assertFails(getDocs(collection(dbAs("owner"), "calls")));
    await assertFails(
      getDocs(
        query(
          collection(dbAs("signed-out"), "calls"),
          where("user_ids", "array-contains", "alice"),
        ),
      ),
    );
  });

  it("nobody lists the push outbox or the token owners, not even the users they name", async () => {
    for (const who of ["signed-out", "owner", "other"] as Who[]) {
      for (const c of ["push_jobs", "push_tokens"]) {
        await assertFails(getDocs(collection(dbAs(who), c)));
        await assertFails(getDocs(query(collection(dbAs(who), c), where("uid", "==", "alice"))));
      }
    }
  });

  it("nobody lists the webhook outbox, not even the users it names", async () => {
    for (const who of ["signed-out", "owner", "other"] as Who[]) {
      await assertFails(getDocs(collection(dbAs(who), "webhook_events")));
      await assertFails(
        getDocs(query(collection(dbAs(who), "webhook_events"), where("call_id", "==", "c1"))),
      );
    }
  });

  it("a user lists only their own notifications", async () => {
    await assertSucceeds(getDocs(collection(dbAs("owner"), "users/alice/notifications")));
    await assertFails(getDocs(collection(dbAs("other"), "users/alice/notifications")));
    await assertFails(getDocs(collection(dbAs("signed-out"), "users/alice/notifications")));
  });

  it("a user lists only their own devices", async () => {
    await assertSucceeds(getDocs(collection(dbAs("owner"), "users/alice/devices")));
    await assertFails(getDocs(collection(dbAs("other"), "users/alice/devices")));
  });

  it("collection-group queries reach nobody else's documents", async () => {
    for (const group of ["notifications", "devices", "private"]) {
      for (const who of ["owner", "other", "signed-out"] as Who[]) {
        await assertFails(getDocs(collectionGroup(dbAs(who), group)));
      }
    }
  });
});

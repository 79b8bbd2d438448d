/**
 * The demo's own part of firestore.rules: `demo_presence/{uid}` (demo/src/presence.ts), written
 * by its owner alone, in its two fields, with the server's time; read by any signed-in user.
 * Ringback's documents stay as closed as test/rules/firestore.rules.test.ts proves the block.
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
  doc,
  getDoc,
  getDocs,
  serverTimestamp,
  setDoc,
  type Firestore,
} from "firebase/firestore";
import { afterAll, beforeAll, describe, it } from "vitest";
import { env, hostPort } from "../support/env.js";

let testEnv: RulesTestEnvironment;

beforeAll(async () => {
  const { host, port } = hostPort(env.firestoreHost);
  testEnv = await initializeTestEnvironment({
    projectId: "demo-ringback-demo-rules",
    firestore: { host, port, rules: readFileSync("firestore.rules", "utf8") },
  });
  await testEnv.clearFirestore();
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    await setDoc(doc(ctx.firestore(), "users/bob"), { status: "in_call", call_id: "c1" });
  });
});

afterAll(async () => {
  await testEnv.cleanup();
});

const as = (uid: string | null) =>
  (uid
    ? testEnv.authenticatedContext(uid).firestore()
    : testEnv.unauthenticatedContext().firestore()) as unknown as Firestore;
const mine = (db: Firestore, uid = "alice") => doc(db, `demo_presence/${uid}`);

describe("the demo's presence docs", () => {
  it("their owner writes status and the server's time, nothing else", async () => {
    const db = as("alice");
    await assertSucceeds(setDoc(mine(db), { status: "idle", seen_at: serverTimestamp() }));
    await assertSucceeds(setDoc(mine(db), { status: "busy", seen_at: serverTimestamp() }));
    await assertFails(setDoc(mine(db), { status: "busy", seen_at: new Date(0) }));
    await assertFails(setDoc(mine(db), { status: "in_call", seen_at: serverTimestamp() }));
    await assertFails(
      setDoc(mine(db), { status: "idle", seen_at: serverTimestamp(), call_id: "c1" }),
    );
  });

  it("nobody writes another user's", async () => {
    await assertFails(
      setDoc(mine(as("eve"), "alice"), { status: "idle", seen_at: serverTimestamp() }),
    );
    await assertFails(
      setDoc(mine(as(null), "alice"), { status: "idle", seen_at: serverTimestamp() }),
    );
  });

  it("signed-in users read them all; nobody else; Ringback's users docs stay private", async () => {
    await setDoc(mine(as("alice")), { status: "idle", seen_at: serverTimestamp() });
    await assertSucceeds(getDocs(collection(as("carol"), "demo_presence")));
    await assertFails(getDocs(collection(as(null), "demo_presence")));
    await assertFails(getDoc(doc(as("alice"), "users/bob")));
    await assertFails(setDoc(doc(as("alice"), "elsewhere/x"), { a: 1 }));
  });
});

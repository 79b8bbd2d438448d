/**
 * The example app's rules (examples/app/firestore.rules): an app that keeps its profile in
 * `users/{uid}`, written by its owner, with Ringback's block pasted beside it. Its owner edits
 * the profile but can never touch Ringback's five fields there (ringbackFieldsUnchanged()),
 * and Ringback's block opens nothing of the app's own.
 */
import { readFileSync } from "node:fs";
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from "@firebase/rules-unit-testing";
import { doc, getDoc, setDoc, updateDoc, type Firestore } from "firebase/firestore";
import { afterAll, beforeAll, describe, it } from "vitest";
import { USER_FIELDS } from "../../functions/src/model/documents.js";
import { env, hostPort } from "../support/env.js";

let testEnv: RulesTestEnvironment;

beforeAll(async () => {
  const { host, port } = hostPort(env.firestoreHost);
  testEnv = await initializeTestEnvironment({
    projectId: "demo-ringback-app-rules",
    firestore: { host, port, rules: readFileSync("examples/app/firestore.rules", "utf8") },
  });
  await testEnv.clearFirestore();
  await testEnv.withSecurityRulesDisabled(async (ctx) => {
    // alice's profile with Ringback's state beside it, as the server writes it.
    await setDoc(doc(ctx.firestore(), "users/alice"), {
      displayName: "Alice",
      status: "ringing",
      call_id: "c1",
      incoming: null,
      device_id: null,
      updated_at: 1,
    });
  });
});

afterAll(async () => {
  await testEnv.cleanup();
});

const as = (uid: string) => testEnv.authenticatedContext(uid).firestore() as unknown as Firestore;

describe("an app's profile in users/{uid}, beside Ringback's fields", () => {
  it("its owner edits the app's fields", async () => {
    await assertSucceeds(updateDoc(doc(as("alice"), "users/alice"), { displayName: "Al" }));
    await assertSucceeds(getDoc(doc(as("alice"), "users/alice")));
  });

  it("its owner can change none of Ringback's fields", async () => {
    for (const field of USER_FIELDS) {
      await assertFails(updateDoc(doc(as("alice"), "users/alice"), { [field]: "idle" }));
    }
    // Nor replace the whole doc without them.
    await assertFails(setDoc(doc(as("alice"), "users/alice"), { displayName: "Al" }));
  });

  it("a new profile may hold the app's fields, never Ringback's", async () => {
    await assertSucceeds(setDoc(doc(as("bob"), "users/bob"), { displayName: "Bob" }));
    await assertFails(setDoc(doc(as("carol"), "users/carol"), { status: "idle" }));
  });

  it("nobody else reads or writes it", async () => {
    await assertFails(getDoc(doc(as("eve"), "users/alice")));
    await assertFails(updateDoc(doc(as("eve"), "users/alice"), { displayName: "Eve" }));
  });

  it("Ringback's subcollections stay read-only for their owner", async () => {
    await assertFails(setDoc(doc(as("alice"), "users/alice/notifications/n1"), { path: "x" }));
    await assertFails(setDoc(doc(as("alice"), "users/alice/devices/d1"), { fcm_token: "x" }));
    await assertFails(setDoc(doc(as("alice"), "users/alice/blocked/eve"), { at: 1 }));
  });
});

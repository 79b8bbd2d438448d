/**
 * Signed-in users on the real emulators that use Ringback only through @ringback/client,
 * as an app would: each has its own firebase app (a device) and one Ringback handle.
 */
import { randomUUID } from "node:crypto";
import { deleteApp, initializeApp, type FirebaseApp } from "firebase/app";
import {
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  getAuth,
  signInWithEmailAndPassword,
  signOut,
  updateProfile,
} from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, type Firestore } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions } from "firebase/functions";
import {
  getRingback,
  type Clock,
  type Ringback,
  type RingbackEvents,
  type RingbackState,
  type StartCallInput,
} from "../../client/src/index.js";
import { waitUntil } from "../support/clients.js";
import { env, hostPort } from "../support/env.js";
import { names as collectionNames } from "../support/names.js";

const PASSWORD = "secret-password";
const open: SdkUser[] = [];

/** The notification events a test records, in the order the SDK delivered them. */
export const EVENT_NAMES = [
  "incoming",
  "canceled",
  "accepted",
  "declined",
  "ended",
  "peerTimeout",
  "invitationTimeout",
  "inviteesAnsweredTimeout",
  "userStateChanged",
] as const;
type EventName = (typeof EVENT_NAMES)[number];
export type Logged = { [K in EventName]: { name: K; e: RingbackEvents[K] } }[EventName];

export interface SdkUser {
  uid: string;
  name: string;
  email: string;
  app: FirebaseApp;
  db: Firestore;
  rb: Ringback;
  /** Every event delivered so far, in order. */
  log: Logged[];
  errors: RingbackEvents["error"][];
  /** Events of one call (optionally one kind), in order. */
  events(callId: string, name?: EventName): Logged[];
  waitState(pred: (s: RingbackState) => boolean, what: string): Promise<RingbackState>;
  waitEvent(name: EventName, callId: string): Promise<Logged>;
  signOut(): Promise<void>;
  close(): Promise<void>;
}

export async function sdkUser(
  label: string,
  opts: { sameUserAs?: SdkUser; deviceId?: string; clock?: Clock } = {},
): Promise<SdkUser> {
  const app = initializeApp(
    { projectId: env.projectId, apiKey: "demo-api-key" },
    `sdk-${label}-${randomUUID()}`,
  );
  const auth = getAuth(app);
  connectAuthEmulator(auth, `http://${env.authHost}`, { disableWarnings: true });
  const db = getFirestore(app);
  const fs = hostPort(env.firestoreHost);
  connectFirestoreEmulator(db, fs.host, fs.port);
  const fn = hostPort(env.functionsOrigin);
  connectFunctionsEmulator(getFunctions(app, "us-central1"), fn.host, fn.port);

  const rb = getRingback(app, {
    collections: collectionNames,
    ...(opts.deviceId ? { deviceId: opts.deviceId } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const log: Logged[] = [];
  const errors: RingbackEvents["error"][] = [];
  const changed = new Set<() => void>();
  const subscribe = (l: () => void) => {
    changed.add(l);
    return () => void changed.delete(l);
  };
  for (const name of EVENT_NAMES) {
    rb.on(name, (e) => {
      log.push({ name, e } as Logged);
      changed.forEach((l) => l());
    });
  }
  rb.on("state", () => changed.forEach((l) => l()));
  rb.on("error", (e) => errors.push(e));

  const email = opts.sameUserAs?.email ?? `${label}-${randomUUID()}@example.com`.toLowerCase();
  const cred = opts.sameUserAs
    ? await signInWithEmailAndPassword(auth, email, PASSWORD)
    : await createUserWithEmailAndPassword(auth, email, PASSWORD);
  if (!opts.sameUserAs) await updateProfile(cred.user, { displayName: label });
  await cred.user.getIdToken(true); // the token carries the name the server reads
  await rb.ready();

  const user: SdkUser = {
    uid: cred.user.uid,
    name: label,
    email,
    app,
    db,
    rb,
    log,
    errors,
    events: (callId, name) =>
      log.filter((l) => l.e.callId === callId && (name === undefined || l.name === name)),
    waitState: (pred, what) =>
      waitUntil(() => (pred(rb.state) ? rb.state : undefined), subscribe, `${label}: ${what}`),
    waitEvent: (name, callId) =>
      waitUntil(
        () => log.find((l) => l.name === name && l.e.callId === callId),
        subscribe,
        `${label}: event ${name} of ${callId}`,
      ),
    signOut: () => signOut(auth),
    async close() {
      await rb.dispose();
      await deleteApp(app);
    },
  };
  open.push(user);
  return user;
}

export async function closeSdkUsers(): Promise<void> {
  await Promise.all(open.splice(0).map((u) => u.close()));
}

/** Names of the events a user got for a call, in order. */
export const names = (u: SdkUser, callId: string): string[] => u.events(callId).map((l) => l.name);

/** The same without the state-change events: the story of the call as a user lives it. */
export const story = (u: SdkUser, callId: string): string[] =>
  names(u, callId).filter((n) => n !== "userStateChanged");

/** Alice, Bob and Carol, new users each time. */
export const trio = () => Promise.all([sdkUser("Alice"), sdkUser("Bob"), sdkUser("Carol")]);

/** `caller` rings `callee` (plus `extra` startCall fields); resolves once it rings. */
export async function ringing(
  caller: SdkUser,
  callee: SdkUser,
  extra: Omit<StartCallInput, "callees" | "type"> & { type?: 1 | 2 } = {},
): Promise<string> {
  const { call_id } = await caller.rb.ring({ callees: [{ id: callee.uid }], type: 2, ...extra });
  await callee.waitState((s) => s.status === "ringing" && s.callId === call_id, "ringing");
  return call_id;
}

/** As `ringing`, then the callee accepts; resolves once both are in the call. */
export async function connected(
  caller: SdkUser,
  callee: SdkUser,
  extra: Parameters<typeof ringing>[2] = {},
): Promise<string> {
  const callId = await ringing(caller, callee, extra);
  await callee.rb.accept(callId);
  for (const u of [caller, callee]) await u.waitState((s) => s.status === "in_call", "in call");
  return callId;
}

/**
 * Signed-in test users on the real emulators through the firebase web SDK: each has its
 * own app instance (auth, functions, firestore), calls the callables, and listens to its
 * `users/{uid}` doc and notifications exactly as an app would.
 */
import { randomUUID } from "node:crypto";
import { deleteApp, initializeApp, type FirebaseApp } from "firebase/app";
import {
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  getAuth,
  signInWithEmailAndPassword,
  updateProfile,
} from "firebase/auth";
import {
  collection,
  connectFirestoreEmulator,
  doc,
  getFirestore,
  onSnapshot,
  type DocumentData,
  type Firestore,
} from "firebase/firestore";
import {
  connectFunctionsEmulator,
  getFunctions,
  httpsCallable,
  type Functions,
} from "firebase/functions";
import { env, hostPort } from "./env.js";
import { callInProcess, inProcess } from "./inProcess.js";
import { names } from "./names.js";

const apps: FirebaseApp[] = [];
/**
 * Every live snapshot listener's unsubscribe. A stopped listener leaves it: each one holds its
 * Firestore client (cache, streams), which must go when its user relistens (relisten says why).
 */
const unsubscribers = new Set<() => void>();

/** Snapshot listeners now live (a test that relistens checks none is left behind). */
export function liveListeners(): number {
  return unsubscribers.size;
}

export interface Notification {
  id: string;
  path: string;
  body: Record<string, unknown>;
  call_id: string;
  seq: number;
}

export interface TestUser {
  uid: string;
  name: string;
  /** The sign-in email (the password is the same for every test user). */
  email: string;
  app: FirebaseApp;
  db: Firestore;
  functions: Functions;
  /** Calls a callable as this user and returns its data. */
  call<T = Record<string, unknown>>(name: string, data?: unknown): Promise<T>;
  /** The latest `users/{uid}` snapshot seen (undefined: no doc). */
  state(): DocumentData | undefined;
  /** Resolves with the user doc once `pred` holds for it. */
  waitState(
    pred: (d: DocumentData | undefined) => boolean,
    what?: string,
    timeoutMs?: number,
  ): Promise<DocumentData | undefined>;
  /** Whether the users/{uid} listener has delivered its first snapshot. */
  seen(): boolean;
  /** Every notification received so far, in order. */
  notifications(callId?: string): Notification[];
  /** Resolves once a notification with `path` (for `callId`) has arrived. */
  waitNotification(path: string, callId: string): Promise<Notification>;
  /** Resolves once `check` holds, re-checked whenever this user's doc or notifications change. */
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /**
   * Stops this user's listeners and deletes its app instance, runs `meanwhile` (clearing the
   * database), then signs in again on a new app instance and listens from scratch (no
   * notification kept). Deleting the documents under a live notifications listener can stall
   * every snapshot of that client on the emulator for up to a minute (docs/testing.md,
   * "Clearing the database under live listeners").
   */
  relisten(meanwhile: () => Promise<void>): Promise<void>;
  /** Signs out of everything: stops this user's listeners and deletes its app. */
  close(): Promise<void>;
}

function newApp(): FirebaseApp {
  const app = initializeApp(
    {
      projectId: env.projectId,
      apiKey: "demo-api-key",
      authDomain: `${env.projectId}.firebaseapp.com`,
    },
    `test-${randomUUID()}`,
  );
  apps.push(app);
  return app;
}

/** Resolves when `check` returns a value; re-checked by `subscribe` on each change. */
export function waitUntil<T>(
  check: () => T | undefined,
  subscribe: (onChange: () => void) => () => void,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = subscribe(() => {
      const v = check();
      if (v !== undefined) {
        clearTimeout(timer);
        off();
        resolve(v);
      }
    });
  });
}

/** An app instance that is signed in as nobody. */
export function anonymousFunctions(): Functions {
  const fns = getFunctions(newApp(), "us-central1");
  const { host, port } = hostPort(env.functionsOrigin);
  connectFunctionsEmulator(fns, host, port);
  return fns;
}

const PASSWORD = "secret-password";

/**
 * Signs up a new user, or, given `sameUserAs`, signs that user in on another device (its
 * own app instance, with its own listeners), as a second phone or a laptop would be.
 */
export async function newUser(label = "user", sameUserAs?: TestUser): Promise<TestUser> {
  const email = sameUserAs?.email ?? `${label}-${randomUUID()}@example.com`.toLowerCase();
  /** A new app instance signed in as this user, with its callables and Firestore client. */
  const signedIn = async (create: boolean) => {
    const app = newApp();
    const auth = getAuth(app);
    connectAuthEmulator(auth, `http://${env.authHost}`, { disableWarnings: true });
    let cred = create
      ? await createUserWithEmailAndPassword(auth, email, PASSWORD)
      : await signInWithEmailAndPassword(auth, email, PASSWORD);
    if (create) {
      await updateProfile(cred.user, { displayName: label });
      // The Auth emulator's sign-up takes the sign-in time (auth_time) before it stamps
      // validSince, each in whole seconds: across a second's turn, the new user's first token
      // reads as revoked. A sign-in now has an auth_time no earlier than validSince.
      cred = await signInWithEmailAndPassword(auth, email, PASSWORD);
    }
    await cred.user.getIdToken(true);
    const functions = getFunctions(app, "us-central1");
    const fn = hostPort(env.functionsOrigin);
    connectFunctionsEmulator(functions, fn.host, fn.port);
    const db = getFirestore(app);
    const fs = hostPort(env.firestoreHost);
    connectFirestoreEmulator(db, fs.host, fs.port);
    return { app, functions, db, uid: cred.user.uid };
  };
  const first = await signedIn(!sameUserAs);
  const uid = first.uid;
  let { app, functions, db } = first;

  let state: DocumentData | undefined;
  let stateSeen = false;
  let notesSeen = false;
  const notes: Notification[] = [];
  const listeners = new Set<() => void>();
  const changed = (): void => listeners.forEach((l) => l());
  const subscribe = (l: () => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  const fail = (e: Error) => {
    throw new Error(`snapshot listener for ${label} failed: ${e.message}`);
  };
  let mine: (() => void)[] = [];
  /** Stops this user's listeners and deletes its app instance (and with it every client). */
  const dropApp = async (): Promise<void> => {
    mine.forEach((u) => {
      u();
      unsubscribers.delete(u);
    });
    mine = [];
    const i = apps.indexOf(app);
    if (i >= 0) apps.splice(i, 1);
    await deleteApp(app);
  };
  const listen = async (): Promise<void> => {
    mine = [
      onSnapshot(
        doc(db, names.users, uid),
        (s) => {
          state = s.data();
          stateSeen = true;
          changed();
        },
        fail,
      ),
      onSnapshot(
        collection(db, names.users, uid, "notifications"),
        (s) => {
          for (const ch of s.docChanges()) {
            if (ch.type === "added")
              notes.push({ id: ch.doc.id, ...(ch.doc.data() as Omit<Notification, "id">) });
          }
          notes.sort((a, b) => (a.call_id === b.call_id ? a.seq - b.seq : 0));
          notesSeen = true;
          changed();
        },
        fail,
      ),
    ];
    mine.forEach((u) => unsubscribers.add(u));
    // Like an app that subscribes at sign-in: both listeners are live before anything happens.
    await waitUntil(
      () => (stateSeen && notesSeen ? true : undefined),
      subscribe,
      `${label}: first snapshots`,
    );
  };
  await listen();

  return {
    uid,
    name: label,
    email,
    get app() {
      return app;
    },
    get db() {
      return db;
    },
    get functions() {
      return functions;
    },
    async call<T>(name: string, data: unknown = {}) {
      if (inProcess) {
        const token = await getAuth(app).currentUser?.getIdToken();
        if (!token) throw new Error(`${label}: signed out, cannot call ${name}`);
        return callInProcess<T>(name, token, data);
      }
      const res = await httpsCallable(functions, name)(data);
      return res.data as T;
    },
    state: () => state,
    seen: () => stateSeen,
    waitState: (pred, what = "a user state", timeoutMs = 20_000) =>
      waitUntil(
        () => (stateSeen && pred(state) ? { v: state } : undefined),
        subscribe,
        `${label}: ${what}`,
        timeoutMs,
      ).then((x) => x.v),
    notifications: (callId) => notes.filter((n) => callId === undefined || n.call_id === callId),
    waitNotification: (path, callId) =>
      waitUntil(
        () => notes.find((n) => n.path === path && n.call_id === callId),
        subscribe,
        `${label}: ${path} for ${callId}`,
      ),
    until: (check, what, timeoutMs = 20_000) =>
      waitUntil(() => (check() ? true : undefined), subscribe, `${label}: ${what}`, timeoutMs).then(
        () => undefined,
      ),
    async relisten(meanwhile) {
      // A whole new app instance, not only a new Firestore client: a client terminated in an
      // app that lives on stays reachable from it (17 MB a round for 20 users, measured), and
      // the long stress run ran out of heap on them.
      await dropApp();
      state = undefined;
      stateSeen = notesSeen = false;
      notes.length = 0;
      await meanwhile();
      ({ app, functions, db } = await signedIn(false));
      await listen();
    },
    close: dropApp,
  };
}

export interface DocWatch {
  /** Resolves with the document once `pred` holds for it. */
  wait(
    pred: (d: DocumentData | undefined) => boolean,
    what?: string,
  ): Promise<DocumentData | undefined>;
  stop(): void;
}

/**
 * Listens to one more document `user` may read (path relative to the database root) and
 * resolves once its first snapshot has arrived, so that no later write can be missed.
 */
export async function watchDoc(user: TestUser, path: string): Promise<DocWatch> {
  let data: DocumentData | undefined;
  let seen = false;
  const listeners = new Set<() => void>();
  const subscribe = (l: () => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  const unsubscribe = onSnapshot(
    doc(user.db, path),
    (s) => {
      data = s.data();
      seen = true;
      listeners.forEach((l) => l());
    },
    (e) => {
      throw new Error(`snapshot listener on ${path} failed: ${e.message}`);
    },
  );
  const stop = (): void => {
    unsubscribe();
    unsubscribers.delete(stop);
  };
  unsubscribers.add(stop);
  await waitUntil(() => (seen ? true : undefined), subscribe, `${path}: first snapshot`);
  return {
    wait: (pred, what = path) =>
      waitUntil(() => (pred(data) ? { v: data } : undefined), subscribe, what).then((x) => x.v),
    stop,
  };
}

/**
 * Clears the database while none of `users` listens, then has each listen again from a new
 * Firestore client (TestUser.relisten says why).
 */
export async function clearListening(
  users: readonly TestUser[],
  clear: () => Promise<void>,
): Promise<void> {
  let stopped = 0;
  let release!: () => void;
  const cleared = new Promise<void>((r) => (release = r));
  await Promise.all(
    users.map((u) =>
      u.relisten(async () => {
        // The last user to stop clears; every user listens again once it has.
        if (++stopped === users.length) {
          try {
            await clear();
          } finally {
            release();
          }
        }
        await cleared;
      }),
    ),
  );
}

export async function closeAll(): Promise<void> {
  unsubscribers.forEach((u) => u());
  unsubscribers.clear();
  await Promise.all(apps.splice(0).map((a) => deleteApp(a)));
}

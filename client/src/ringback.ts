/**
 * `getRingback(app)`: the one handle an app holds. It follows Firebase Auth (a session per
 * signed-in user, none when signed out), forwards the session's events and state, and
 * resyncs when the browser comes back online or the page becomes visible.
 */
import type { FirebaseApp } from "firebase/app";
import { getAuth, onAuthStateChanged, signOut as fbSignOut, type Auth } from "firebase/auth";
import { getFirestore, type Firestore } from "firebase/firestore";
import { getFunctions, type Functions } from "firebase/functions";
import type { BackoffOptions } from "./backoff.js";
import { systemClock, type Clock } from "./clock.js";
import { commands, type Commands } from "./commands.js";
import { deviceIdOf } from "./device.js";
import { Emitter } from "./emitter.js";
import type { RingbackEvents } from "./events.js";
import { firestoreSource, type CollectionNames } from "./firestoreSource.js";
import { toRingbackError } from "./errors.js";
import { Session } from "./session.js";
import type { Source } from "./source.js";
import { SIGNED_OUT, type RingbackState } from "./state.js";
import type { DeviceInput } from "./types.js";

export interface RingbackOptions {
  /** The functions' region (default us-central1). */
  region?: string;
  /**
   * Put before every function name: `ext-<instance id>-` when Ringback is installed as a
   * Firebase Extension (`ext-ringback-` for the instance "ringback"); none for the codebase.
   */
  functionPrefix?: string;
  /** The server's collection names, when its params moved them (default users and calls). */
  collections?: CollectionNames;
  /**
   * This session's device id, named in every command that takes one (start, accept, decline,
   * join, ack, heartbeat, registerDevice). Default: kept per browser profile and tab in
   * web storage, random where there is none (docs/client.md#devices).
   */
  deviceId?: string;
  /**
   * On `signOut()` or `dispose()` mid-call, end the call first (decline it when it rings,
   * cancel it when you call): default true; false leaves it to the heartbeat timeout.
   */
  endCallOnSignOut?: boolean;
  /**
   * Register this device (registerDevice, platform `web` unless given) at every sign-in, and
   * unregister it on `signOut()`. Off by default.
   */
  registerDevice?:
    boolean | (Omit<DeviceInput, "platform"> & { platform?: DeviceInput["platform"] });
  /** Instances to use instead of getAuth(app), getFirestore(app), getFunctions(app, region). */
  auth?: Auth;
  firestore?: Firestore;
  functions?: Functions;
  /** For tests: time, the document source and the listener retry delays. */
  clock?: Clock;
  source?: Source;
  backoff?: BackoffOptions;
}

export interface Ringback extends Commands {
  /** The state to render now. */
  readonly state: RingbackState;
  /** Listen to an event; returns the function that stops listening. */
  on<K extends keyof RingbackEvents>(type: K, listener: (e: RingbackEvents[K]) => void): () => void;
  /** Calls `listener` with the state now and on every change; returns the unsubscribe. */
  subscribe(listener: (s: RingbackState) => void): () => void;
  /** Resolves with the state once it is live (first snapshots in) for a signed-in user. */
  ready(): Promise<RingbackState>;
  /** Resync now (the SDK also does on `online` and `visibilitychange`). */
  resync(): void;
  /**
   * Ends (or declines) the current call unless `endCallOnSignOut` is false, unregisters the
   * device when `registerDevice` is on, then signs out of Firebase Auth.
   */
  signOut(): Promise<void>;
  /**
   * Stop everything: listeners, heartbeat, auth observer. Mid-call it first sends the end (or
   * decline) unless `endCallOnSignOut` is false; the promise settles once that is answered.
   */
  dispose(): Promise<void>;
}

const handles = new WeakMap<FirebaseApp, Ringback>();

/** The Ringback handle of `app` (one per app; options apply when it is first made). */
export function getRingback(app: FirebaseApp, options: RingbackOptions = {}): Ringback {
  let handle = handles.get(app);
  if (!handle) handles.set(app, (handle = createRingback(app, options)));
  return handle;
}

function createRingback(app: FirebaseApp, options: RingbackOptions): Ringback {
  const auth = options.auth ?? getAuth(app);
  const functions = options.functions ?? getFunctions(app, options.region ?? "us-central1");
  const source =
    options.source ?? firestoreSource(options.firestore ?? getFirestore(app), options.collections);
  const clock = options.clock ?? systemClock;
  const cmds = commands(functions, deviceIdOf(options.deviceId), options.functionPrefix);
  const registration = options.registerDevice === true ? {} : options.registerDevice || null;
  const events = new Emitter<RingbackEvents>();
  let session: Session | null = null;
  let signedOut: RingbackState = SIGNED_OUT;

  const stateNow = (): RingbackState => session?.current ?? signedOut;
  const stopSession = (): void => {
    session?.stop();
    session = null;
  };
  const stopAuth = onAuthStateChanged(auth, (user) => {
    if (user?.uid === session?.current.uid) return;
    stopSession();
    if (user) {
      if (registration) {
        cmds
          .registerDevice({ platform: "web", ...registration })
          .catch((error: unknown) =>
            events.emit("error", { source: "register", error: toRingbackError(error) }),
          );
      }
      session = new Session({
        uid: user.uid,
        ...(cmds.deviceId !== undefined ? { deviceId: cmds.deviceId } : {}),
        source,
        clock,
        events,
        heartbeat: (id) => cmds.heartbeat(id),
        ack: (id) => cmds.ack(id),
        ...(options.backoff ? { backoff: options.backoff } : {}),
      });
      session.start();
    } else {
      signedOut = { ...SIGNED_OUT };
      events.emit("state", signedOut);
    }
  });

  /** Calls this device accepted or joined (ahead of the user doc that says so). */
  const answeredHere = new Set<string>();

  /** Leaves the current call the way the user would: decline, cancel or end it. */
  const leave = async (): Promise<void> => {
    const s = session?.current;
    if (options.endCallOnSignOut === false || !s?.callId || !s.isThisDevice) return;
    const id = s.callId;
    try {
      // The state may lag this device's own accept (its answer came, the user doc has not): a
      // decline would then be refused already_answered and leave the peer waiting.
      if (s.status === "ringing" && !answeredHere.has(id)) await cmds.decline(id);
      else if (s.status === "ringing") await cmds.end(id);
      else if (s.status === "calling" || s.status === "in_call") await cmds.end(id);
    } catch (error) {
      // The call may have ended meanwhile; signing out goes on regardless.
      events.emit("error", { source: "signOut", error: toRingbackError(error) });
    }
  };

  const resync = (): void => session?.resync();
  const onVisible = (): void => {
    if (globalThis.document?.visibilityState === "visible") resync();
  };
  globalThis.addEventListener?.("online", resync);
  globalThis.document?.addEventListener("visibilitychange", onVisible);

  return {
    ...cmds,
    async accept(...args: Parameters<Commands["accept"]>) {
      const answer = await cmds.accept(...args);
      answeredHere.add(args[0]);
      return answer;
    },
    async join(...args: Parameters<Commands["join"]>) {
      const answer = await cmds.join(...args);
      answeredHere.add(args[0]);
      return answer;
    },
    async ring(input) {
      const answer = await cmds.ring(input);
      session?.track(answer.call_id);
      return answer;
    },
    get state() {
      return stateNow();
    },
    on: (type, listener) => events.on(type, listener),
    subscribe(listener) {
      listener(stateNow());
      return events.on("state", listener);
    },
    ready() {
      const s = stateNow();
      if (s.live && s.uid) return Promise.resolve(s);
      return new Promise((resolve) => {
        const off = events.on("state", (st) => {
          if (st.live && st.uid) {
            off();
            resolve(st);
          }
        });
      });
    },
    resync,
    async signOut() {
      await leave();
      if (registration && session) {
        await cmds.unregisterDevice().catch((error: unknown) => {
          events.emit("error", { source: "register", error: toRingbackError(error) });
        });
      }
      stopSession();
      await fbSignOut(auth);
    },
    async dispose() {
      const left = leave();
      stopAuth();
      stopSession();
      globalThis.removeEventListener?.("online", resync);
      globalThis.document?.removeEventListener("visibilitychange", onVisible);
      handles.delete(app);
      await left;
      events.clear();
    },
  };
}

/**
 * The Ringback web demo: sign in as a demo user, ring others, answer, hang up. Built on
 * @ringback/client alone; the local stack serves it with /config.json (the emulators).
 */
import { getRingback, type Ringback, type RingbackState } from "@ringback/client";
import { initializeApp } from "firebase/app";
import {
  browserSessionPersistence,
  connectAuthEmulator,
  initializeAuth,
  signInWithEmailAndPassword,
  type Auth,
} from "firebase/auth";
import { connectFirestoreEmulator, getFirestore, type Firestore } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions } from "firebase/functions";
import { alerts, askNotifications } from "./alerts.js";
import { avatar, h } from "./dom.js";
import { sentenceFor } from "./errors.js";
import { resetHistory } from "./history.js";
import { leaveOnPagehide, rejoinAfterReload } from "./leaving.js";
import { publishPresence, watchPresence } from "./presence.js";
import { render, type Contact, type Ctx } from "./screens.js";

interface Config {
  projectId: string;
  authUrl: string;
  firestore: { host: string; port: number };
  functions: { host: string; port: number };
  users: (Contact & { email: string })[];
  password: string;
  /** The functions on the page's origin (scripts/stack/demo.mjs forwards them). */
  fnBase: string;
}

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const STATUS_LABEL = {
  idle: "Available",
  calling: "Calling",
  ringing: "Ringing",
  in_call: "In call",
};

function notice(text: string): void {
  const el = $("notice");
  el.textContent = text;
  el.classList.add("show");
  setTimeout(() => el.classList.remove("show"), 4000);
}

async function boot(): Promise<void> {
  const config = (await (await fetch("/config.json")).json()) as Config;
  const app = initializeApp({ projectId: config.projectId, apiKey: "demo-api-key" });
  // Each window signs in on its own (session storage), so two windows can be two people.
  const auth = initializeAuth(app, { persistence: browserSessionPersistence });
  connectAuthEmulator(auth, config.authUrl, { disableWarnings: true });
  const db = getFirestore(app);
  connectFirestoreEmulator(db, config.firestore.host, config.firestore.port);
  connectFunctionsEmulator(
    getFunctions(app, "us-central1"),
    config.functions.host,
    config.functions.port,
  );
  // The SDK's own device id: one per browser profile and tab, so a reload stays the device
  // that answered while a second window is another device.
  const rb = getRingback(app);
  const ringTimeout = Number(new URLSearchParams(location.search).get("ring_timeout") ?? 30);

  const ctx: Ctx = {
    rb,
    me: { id: "", name: "" },
    contacts: config.users,
    ringTimeout,
    selected: new Set(),
    presence: null,
    pending: new Set(),
    act(key, fn) {
      if (ctx.pending.has(key)) return; // its button is disabled; a double click lands here
      ctx.pending.add(key);
      ctx.rerender();
      void fn()
        .catch((err: unknown) => notice(sentenceFor(err)))
        .finally(() => {
          ctx.pending.delete(key);
          ctx.rerender();
        });
    },
    rerender: () => show(rb.state),
    signOut: () => rb.signOut(),
  };
  const show = (s: RingbackState): void => {
    document.body.dataset.status = s.uid ? s.status : "signed-out";
    if (!s.uid) return void $("app").replaceChildren(signIn(auth, config));
    ctx.me = config.users.find((u) => u.id === s.uid) ?? {
      id: s.uid,
      name: auth.currentUser?.displayName ?? s.uid,
    };
    header(ctx, s);
    $("app").replaceChildren(render(ctx, s));
  };
  // No sign-in screen until Auth has read its persisted user: a reload of a signed-in window
  // shows "Loading…", then the app, never the sign-in screen for a moment.
  await auth.authStateReady();
  rb.subscribe(show);
  hangUpWhenAlone(rb, ctx.act);
  hangUpWhenLeftAlone(rb, ctx.act);
  announce(rb, (id) => config.users.find((u) => u.id === id)?.name ?? id);
  alerts(rb);
  leaveOnPagehide(rb, auth, config.fnBase);
  presence(rb, db, ctx);
  rejoinAfterReload(rb);
}

/** Publishes this user's presence while signed in, and shows the contacts'. */
function presence(rb: Ringback, db: Firestore, ctx: Ctx): void {
  let mine: ReturnType<typeof publishPresence> | null = null;
  let stopWatch: (() => void) | null = null;
  let uid: string | null = null;
  rb.subscribe((s) => {
    if (s.uid !== uid) {
      void mine?.stop();
      stopWatch?.();
      mine = null;
      stopWatch = null;
      uid = s.uid;
      resetHistory();
      ctx.presence = null;
      if (uid) {
        mine = publishPresence(db, uid, () => rb.state);
        stopWatch = watchPresence(db, (m) => {
          ctx.presence = m;
          if (rb.state.status === "idle") ctx.rerender();
        });
      }
    }
    mine?.update();
  });
  addEventListener("pagehide", () => void mine?.stop());
  ctx.signOut = async () => {
    await mine?.stop(); // while still signed in: the rules let only the owner write
    await rb.signOut();
  };
}

function header(ctx: Ctx, s: RingbackState): void {
  const { me } = ctx;
  $("who").replaceChildren(
    h(
      `span.pill.status-${s.online ? s.status : "offline"}`,
      { "data-testid": "status" },
      s.online ? STATUS_LABEL[s.status] : "Offline",
    ),
    avatar(me.id, me.name, "s"),
    h("span.me", me.name),
    // The SDK's signOut ends (or declines) the call first, so the others are not left waiting.
    h(
      "button.btn.link",
      {
        disabled: ctx.pending.has("signout"),
        onclick: () => ctx.act("signout", () => ctx.signOut()),
      },
      "Sign out",
    ),
  );
}

function signIn(auth: Auth, config: Config): HTMLElement {
  $("who").replaceChildren();
  return h(
    "section.screen.signin",
    { "data-screen": "signin" },
    h("h1", "Who are you?"),
    h(
      "p.muted",
      "Open this page in two or three windows and sign in as a different person in each.",
    ),
    h(
      "div.people.choose",
      ...config.users.map((u) =>
        h(
          "button.person.pick-user",
          {
            "aria-label": `Sign in as ${u.name}`,
            onclick: () => {
              askNotifications(); // a click: browsers ask for the permission only on one
              void signInWithEmailAndPassword(auth, u.email, config.password).catch(() =>
                notice("Could not sign in. Is the local stack running?"),
              );
            },
          },
          avatar(u.id, u.name, "l"),
          h("div.person-name", `Sign in as ${u.name}`),
        ),
      ),
    ),
  );
}

/**
 * The demo rings in advanced mode (anyone in the call may add people), and an advanced call
 * outlives its invitees' answers: the inviter may still ring others. So once everyone the
 * caller rang has declined, been busy or timed out, and nobody answered, the demo hangs up for
 * the caller, as a calling app would; the banner then says why (outcome.ts).
 */
function hangUpWhenAlone(rb: Ringback, act: Ctx["act"]): void {
  const ended = new Set<string>();
  const over = ["rejected", "timeout", "canceled"];
  rb.subscribe((s) => {
    const c = s.call;
    if (s.status !== "calling" || !c || c.mode !== "advanced" || c.caller.id !== s.uid) return;
    const others = c.users.filter((u) => u.id !== s.uid);
    if (others.length === 0 || !others.every((u) => over.includes(u.state))) return;
    if (ended.has(c.id)) return;
    ended.add(c.id);
    // Its own key: the user's Cancel may still be in flight, and act() drops a repeated key.
    act(`auto-end:${c.id}`, () => rb.end(c.id));
  });
}

/** A call left with only you in it (the others quit or lost connection): hang up after a grace. */
const ALONE_GRACE_MS = 5000;
function hangUpWhenLeftAlone(rb: Ringback, act: Ctx["act"]): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: string | null = null;
  rb.subscribe((s) => {
    const id = s.alone && s.isThisDevice ? s.alone.callId : null;
    if (id === pending) return;
    clearTimeout(timer);
    pending = id;
    if (id) timer = setTimeout(() => act(`auto-end:${id}`, () => rb.end(id)), ALONE_GRACE_MS);
  });
}

/** Short notices for what the state alone does not say. */
function announce(rb: Ringback, nameOf: (id: string) => string): void {
  rb.on("declined", (e) => {
    if (rb.state.status === "in_call")
      notice(`${nameOf(e.userId)} ${e.busy ? "is busy" : "declined"}`);
  });
  rb.on("peerTimeout", (e) => notice(`${nameOf(e.userId)} lost connection`));
  rb.on("answeredElsewhere", () => notice("Answered on another device"));
  rb.on("error", (e) => {
    if (e.source === "listener")
      notice(`Connection problem; retrying in ${Math.round((e.retryInMs ?? 0) / 1000)} s`);
  });
}

boot().catch((err) => {
  $("app").replaceChildren(h("p.banner.bad", `Could not start: ${String(err)}`));
});

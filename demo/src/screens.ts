/** The demo's screens, each a function of the SDK's state: home, calling, ringing, in call. */
import type { CallUserView, CallView, Ringback, RingbackState } from "@ringback/client";
import { avatar, clock, h, joinNames } from "./dom.js";
import { historyList } from "./history.js";
import { outcomeOf } from "./outcome.js";
import { presenceLabel, type Presence } from "./presence.js";

export interface Contact {
  id: string;
  name: string;
}

export interface Ctx {
  rb: Ringback;
  me: Contact;
  contacts: Contact[];
  /** Invitation timeout, seconds. */
  ringTimeout: number;
  /** Contacts ticked for a group call. */
  selected: Set<string>;
  /** What the contacts are doing (presence.ts), by uid; null until first read. */
  presence: Map<string, Presence> | null;
  /**
   * Runs a command under `key` ("ring", "accept", "add:carol", ...): buttons of that key are
   * disabled while it is in flight; a failure becomes a short sentence (errors.ts).
   */
  act(key: string, fn: () => Promise<unknown>): void;
  /** Keys of the commands in flight. */
  pending: Set<string>;
  /** Marks this user offline, then the SDK's signOut (which ends a call first). */
  signOut(): Promise<void>;
  rerender(): void;
}

const nameOf = (ctx: Ctx, id: string): string =>
  ctx.contacts.find((c) => c.id === id)?.name ?? (id === ctx.me.id ? ctx.me.name : id);

export function render(ctx: Ctx, s: RingbackState): HTMLElement {
  if (!s.live) return h("section.screen.center", h("p.muted", "Connecting…"));
  if (s.status === "ringing" && s.incoming) return ringing(ctx, s);
  // One device answers: another window (or device) of this user holds the call.
  if ((s.status === "calling" || s.status === "in_call") && !s.isThisDevice) return elsewhere(s);
  if (s.status === "calling") return calling(ctx, s);
  if (s.status === "in_call") return inCall(ctx, s);
  return home(ctx, s);
}

function ring(ctx: Ctx, ids: string[]): void {
  ctx.selected.clear();
  ctx.act("ring", () =>
    ctx.rb.ring({
      callees: ids.map((id) => ({ id, name: nameOf(ctx, id) })),
      type: 2,
      mode: "advanced", // so that anyone in the call can add people
      timeout: ctx.ringTimeout,
    }),
  );
}

function home(ctx: Ctx, s: RingbackState): HTMLElement {
  const banner = s.lastCall && outcomeOf(s.lastCall, ctx.me.id);
  const others = ctx.contacts.filter((c) => c.id !== ctx.me.id);
  const picked = others.filter((c) => ctx.selected.has(c.id));
  const rows = others.map((c) =>
    h(
      "li.contact",
      { "data-contact": c.id },
      h(
        "label.pick",
        { title: "Add to a group call" },
        h("input", {
          type: "checkbox",
          "aria-label": `Select ${c.name}`,
          checked: ctx.selected.has(c.id),
          onchange: (e: Event) => {
            if ((e.target as HTMLInputElement).checked) ctx.selected.add(c.id);
            else ctx.selected.delete(c.id);
            ctx.rerender();
          },
        }),
      ),
      avatar(c.id, c.name),
      h("span.name", c.name),
      ctx.presence && presenceTag(ctx.presence.get(c.id) ?? "offline"),
      h(
        "button.btn.call",
        {
          onclick: () => ring(ctx, [c.id]),
          "aria-label": `Call ${c.name}`,
          disabled: ctx.pending.has("ring"),
        },
        "Call",
      ),
    ),
  );
  return h(
    "section.screen.home",
    { "data-screen": "home" },
    banner && h(`div.banner.${banner.tone}`, { "data-testid": "outcome" }, banner.text),
    h(
      "div.card",
      h("h2", "Contacts"),
      h("ul.contacts", ...rows),
      picked.length > 1 &&
        h(
          "button.btn.call.wide",
          {
            disabled: ctx.pending.has("ring"),
            onclick: () =>
              ring(
                ctx,
                picked.map((c) => c.id),
              ),
          },
          `Group call ${joinNames(picked.map((c) => c.name))}`,
        ),
    ),
    h(
      "div.card",
      h("h2", "Recent calls"),
      historyList({
        rb: ctx.rb,
        me: ctx.me.id,
        key: `${s.lastCall?.id ?? ""}:${s.lastCall?.state ?? ""}`,
        busy: ctx.pending.has("ring"),
        callBack: (people) =>
          ring(
            ctx,
            people.map((p) => p.id),
          ),
        rejoin: (callId) => ctx.act("ring", () => ctx.rb.join(callId)),
      }),
    ),
  );
}

function presenceTag(p: Presence): HTMLElement {
  return h(`span.presence.presence-${p}`, { "data-testid": "presence" }, presenceLabel(p));
}

const STATE_LABEL: Record<string, string> = {
  inviting: "Ringing…",
  received: "Ringing…",
  not_yet_received: "Not reached yet…",
  accepted: "In call",
  rejected: "Declined",
  canceled: "Canceled",
  timeout: "No answer",
  quit: "Left",
};

function person(u: CallUserView, me: string): HTMLElement {
  const label = u.state === "rejected" && u.declineType === 2 ? "Busy" : STATE_LABEL[u.state];
  return h(
    `div.person.state-${u.state}`,
    { "data-user": u.id },
    avatar(u.id, u.name, "l"),
    h("div.person-name", u.id === me ? `${u.name} (you)` : u.name),
    h("div.person-state", label ?? u.state),
  );
}

function calling(ctx: Ctx, s: RingbackState): HTMLElement {
  const call = s.call;
  const callees = call ? call.users.filter((u) => u.id !== ctx.me.id) : [];
  return h(
    "section.screen.stage.calling",
    { "data-screen": "calling" },
    h("p.kicker", "Video call"),
    h("h1", callees.length ? `Calling ${joinNames(callees.map((u) => u.name))}…` : "Calling…"),
    h("div.people", ...callees.map((u) => person(u, ctx.me.id))),
    h(
      "div.actions",
      h(
        "button.btn.round.hangup",
        {
          disabled: ctx.pending.has("cancel"),
          onclick: () => ctx.act("cancel", () => ctx.rb.cancel(s.callId ?? "")),
        },
        "Cancel",
      ),
    ),
  );
}

function ringing(ctx: Ctx, s: RingbackState): HTMLElement {
  const inv = s.incoming!;
  const others = (s.call?.users ?? []).filter((u) => u.id !== ctx.me.id && u.id !== inv.caller.id);
  const left = h("p.muted.countdown", "");
  const tick = () => {
    const ms = inv.deadlineAt ? inv.deadlineAt.getTime() - Date.now() : 0;
    left.textContent = ms > 0 ? `Rings for ${Math.ceil(ms / 1000)} s` : "";
  };
  tick();
  ticking(left, tick);
  return h(
    "section.screen.stage.ringing",
    { "data-screen": "ringing", "data-call": inv.callId },
    h("div.pulse", avatar(inv.caller.id, inv.caller.name, "l")),
    h("p.kicker", inv.type === 2 ? "Incoming video call" : "Incoming voice call"),
    h("h1", `${inv.caller.name} is calling`),
    others.length > 0 && h("p.muted", `with ${joinNames(others.map((u) => u.name))}`),
    left,
    h(
      "div.actions",
      h(
        "button.btn.round.decline",
        {
          // Accept and Decline exclude each other: one answer at a time.
          disabled: ctx.pending.has("answer"),
          onclick: () => ctx.act("answer", () => ctx.rb.decline(inv.callId)),
        },
        "Decline",
      ),
      h(
        "button.btn.round.accept",
        {
          disabled: ctx.pending.has("answer"),
          onclick: () => ctx.act("answer", () => ctx.rb.accept(inv.callId)),
        },
        "Accept",
      ),
    ),
  );
}

function elsewhere(s: RingbackState): HTMLElement {
  return h(
    "section.screen.stage.elsewhere",
    { "data-screen": "elsewhere" },
    h("p.kicker", s.status === "calling" ? "Calling" : "In call"),
    h("h1", s.status === "calling" ? "Calling from another device" : "Answered on another device"),
    h("p.muted", "This window stays quiet until that call ends."),
  );
}

function inCall(ctx: Ctx, s: RingbackState): HTMLElement {
  const call = s.call;
  const timer = h("div.timer", { "data-testid": "timer" }, "00:00");
  const tick = () => {
    if (call?.connectedAt) timer.textContent = clock(Date.now() - call.connectedAt.getTime());
  };
  tick();
  ticking(timer, tick);
  const live = (call?.users ?? []).filter((u) => u.state !== "canceled");
  // inviteToCall rings only users the call has never named (functions/src/core/group.ts):
  // whoever declined, timed out or left is refused already_in_call, so they get no Add.
  const named = new Set((call?.users ?? []).map((u) => u.id));
  const addable = ctx.contacts.filter((c) => c.id !== ctx.me.id && !named.has(c.id));
  return h(
    "section.screen.stage.in-call",
    { "data-screen": "in-call" },
    h("p.kicker", "In call"),
    timer,
    s.alone &&
      h(
        "p.banner.bad",
        { "data-testid": "alone" },
        `Call dropped: ${joinNames(s.alone.left.map((u) => u.name || nameOf(ctx, u.id)))} ` +
          (s.alone.left.every((u) => u.reason === "timeout") ? "lost connection" : "left"),
      ),
    h("div.people", ...live.map((u) => person(u, ctx.me.id))),
    mediaPlaceholder(call),
    call &&
      addable.length > 0 &&
      h(
        "div.add",
        ...addable.map((c) =>
          h(
            "button.btn.ghost",
            {
              disabled: ctx.pending.has(`add:${c.id}`),
              onclick: () =>
                ctx.act(`add:${c.id}`, () => ctx.rb.invite(call.id, [{ id: c.id, name: c.name }])),
            },
            `Add ${c.name}`,
          ),
        ),
      ),
    h(
      "div.actions",
      h(
        "button.btn.round.hangup",
        { disabled: ctx.pending.has("hangup"), onclick: () => hangUp(ctx, s, call) },
        "Hang up",
      ),
    ),
  );
}

/** In a group call, leave and let the others go on; with one other person, end it. */
function hangUp(ctx: Ctx, s: RingbackState, call: CallView | null): void {
  const id = s.callId ?? "";
  const others = (call?.users ?? []).filter((u) => u.id !== ctx.me.id && u.state === "accepted");
  ctx.act("hangup", () => (others.length > 1 ? ctx.rb.quit(id) : ctx.rb.end(id)));
}

/**
 * Where the app's media starts. Ringback only rings: once this device is in the call (here,
 * `s.isThisDevice` and `call.connectedAt` set), an app opens its WebRTC (or SFU) session for
 * `call.id` in this element and closes it when the state leaves in_call.
 */
function mediaPlaceholder(call: CallView | null): HTMLElement {
  return h(
    "div.media",
    { "data-testid": "media", "data-call": call?.id ?? "" },
    // --- YOUR RTC MEDIA PLUGS IN HERE: attach local and remote <video> elements ---
    h("p.media-label", "Your video goes here"),
    h("p.media-hint", "Ringback rang and connected the call; your RTC code plugs in here."),
  );
}

/** Runs `tick` every second while `el` is on the page. */
function ticking(el: HTMLElement, tick: () => void): void {
  const timer = setInterval(() => (el.isConnected ? tick() : clearInterval(timer)), 1000);
}

/**
 * Recent calls, from listCalls, newest first: the server's outcome, the duration, Call back.
 * The list is kept between renders (no "Loading…" flash on every state change) and fetched
 * again when the last call changes, while a listed call has not ended yet (the user doc may
 * turn idle a moment before the listing shows the end), and after a failed fetch.
 */
import type { ListedCall, Ringback } from "@ringback/client";
import { avatar, h } from "./dom.js";
import { historyLine } from "./outcome.js";

const time = (iso: string | null): string =>
  iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";

/** Fetches again while a listed call is still live, or after a failure, at most this many times in a row. */
const MAX_RETRIES = 10;
const RETRY_MS = 1000;

export interface HistoryProps {
  rb: Ringback;
  me: string;
  /** Changes when the history may have changed (the last call, its state). */
  key: string;
  /** Rings the people of a history row again. */
  callBack(ids: { id: string; name: string }[]): void;
  /** Joins a live call again (joinCall: advanced mode, after leaving or dropping out). */
  rejoin(callId: string): void;
  /** True while a ring is in flight (Call back is disabled). */
  busy: boolean;
}

let calls: ListedCall[] | null = null;
let error = "";
let fetchedKey: string | null = null;
let retries = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let shown: { list: HTMLElement; props: HistoryProps } | null = null;

export function historyList(props: HistoryProps): HTMLElement {
  const list = h("ul.history", { "data-testid": "history" });
  shown = { list, props };
  fill();
  if (fetchedKey !== `${props.me}|${props.key}`) {
    retries = 0;
    load(props);
  }
  return list;
}

function load(props: HistoryProps): void {
  const key = `${props.me}|${props.key}`;
  fetchedKey = key;
  clearTimeout(retryTimer);
  props.rb
    .list({ count: 8 })
    .then((answer) => {
      if (fetchedKey !== key) return; // a newer fetch is under way
      calls = answer.calls;
      error = "";
      fill();
      // The end of a call lands in the listing a moment after the user doc: fetch again.
      const live = calls.some((c) => c.state !== "ended");
      if (live && props.rb.state.status === "idle" && retries++ < MAX_RETRIES) {
        retryTimer = setTimeout(() => {
          if (fetchedKey === key && shown) load(shown.props);
        }, RETRY_MS);
      }
    })
    .catch(() => {
      if (fetchedKey !== key) return;
      error = "History is unavailable right now.";
      fill();
      // A failed fetch (a cold or busy function, a dropped connection) is tried again, as a
      // live call is: otherwise the list would stay unavailable until the next call.
      if (retries++ < MAX_RETRIES) {
        retryTimer = setTimeout(() => {
          if (fetchedKey === key && shown) load(shown.props);
        }, RETRY_MS);
      }
    });
}

function fill(): void {
  if (!shown) return;
  const { list, props } = shown;
  if (calls === null) {
    list.replaceChildren(h("li.muted", error || "Loading…"));
    return;
  }
  list.replaceChildren(
    ...(error ? [h("li.muted", error)] : []),
    ...(calls.length === 0 ? [h("li.muted", "No calls yet")] : []),
    ...calls.map((c) => row(c, props)),
  );
}

function row(c: ListedCall, props: HistoryProps): HTMLElement {
  const line = historyLine(c, props.me);
  const peers =
    c.caller.id === props.me
      ? c.users.filter((u) => u.id !== props.me)
      : [c.caller, ...c.users.filter((u) => u.id !== props.me && u.id !== c.caller.id)];
  return h(
    `li.history-item${line.missed ? ".missed" : ""}`,
    { "data-call": c.call_id, "data-ended": String(line.ended) },
    avatar(peers[0]?.id ?? "?", line.who, "s"),
    h("span.who", line.who),
    h("span.how", { "data-testid": "outcome-text" }, line.how),
    line.duration && h("span.duration", { "data-testid": "duration" }, line.duration),
    h("span.when", time(c.created_at)),
    rejoinable(c, props.me) &&
      h(
        "button.btn.small.rejoin",
        {
          "aria-label": `Rejoin the call with ${line.who}`,
          disabled: props.busy,
          onclick: () => props.rejoin(c.call_id),
        },
        "Rejoin",
      ),
    line.ended &&
      peers.length > 0 &&
      h(
        "button.btn.small.callback",
        {
          "aria-label": `Call back ${line.who}`,
          title: `Call back ${line.who}`,
          disabled: props.busy,
          onclick: () => props.callBack(peers.map((u) => ({ id: u.id, name: u.name || u.id }))),
        },
        "Call back",
      ),
  );
}

/**
 * A call that still lives, which this user left or dropped out of (or never answered) while
 * others talk: joinCall takes them back in advanced mode (docs/protocol.md, joinCall).
 */
function rejoinable(c: ListedCall, me: string): boolean {
  const out = ["quit", "timeout", "rejected", "canceled"];
  const talking = c.users.filter((u) => u.id !== me && u.state === "accepted");
  return (
    c.state === "ongoing" &&
    c.mode === "advanced" &&
    out.includes(c.user_state ?? "") &&
    talking.length > 0
  );
}

/** Forgets the list (sign-out: the next user's history is another). */
export function resetHistory(): void {
  calls = null;
  error = "";
  fetchedKey = null;
  clearTimeout(retryTimer);
}

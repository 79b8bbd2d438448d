/** Recent calls, from listCalls, newest first. */
import type { Ringback } from "@ringback/client";
import { avatar, h } from "./dom.js";
import { historyLine } from "./outcome.js";

const time = (iso: string | null): string =>
  iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";

export function historyList(rb: Ringback, me: string, _key: string): HTMLElement {
  const list = h("ul.history", { "data-testid": "history" }, h("li.muted", "Loading…"));
  rb.list({ count: 8 })
    .then(({ calls }) => {
      list.replaceChildren(
        ...(calls.length === 0 ? [h("li.muted", "No calls yet")] : []),
        ...calls.map((c) => {
          const line = historyLine(c, me);
          const peer = c.caller.id === me ? c.users.find((u) => u.id !== me) : c.caller;
          return h(
            `li.history-item${line.missed ? ".missed" : ""}`,
            avatar(peer?.id ?? "?", line.who, "s"),
            h("span.who", line.who),
            h("span.how", line.how),
            h("span.when", time(c.created_at)),
          );
        }),
      );
    })
    .catch((err: unknown) =>
      list.replaceChildren(h("li.muted", `History unavailable: ${String(err)}`)),
    );
  return list;
}

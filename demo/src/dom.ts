/** A tiny DOM builder: h("div.card", { onclick }, child, "text"). */
type Child = Node | string | null | undefined | false;
type Props = Record<string, unknown>;

export function h(tag: string, props: Props | Child = {}, ...children: Child[]): HTMLElement {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  if (props instanceof Node || typeof props !== "object" || props === null) {
    children.unshift(props as Child);
  } else {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v as EventListener);
      else if (k === "class") el.className += ` ${String(v)}`;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

const COLORS = ["#6d5dfc", "#f0834d", "#1fa67a", "#e0467c", "#2d8cf0", "#b0862a", "#7c5cd6"];

/** A round avatar with the name's initial, coloured by the id. */
export function avatar(id: string, name: string, size: "s" | "m" | "l" = "m"): HTMLElement {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const el = h(`span.avatar.avatar-${size}`, (name || id).slice(0, 1).toUpperCase());
  el.style.background = COLORS[hash % COLORS.length] ?? "#6d5dfc";
  return el;
}

/** mm:ss (or h:mm:ss) of a duration in ms. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** "Alice", "Alice and Bob", "Alice, Bob and Carol". */
export function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * This session's device id (docs/client.md): the browser profile's id (localStorage) joined
 * with the tab's (sessionStorage), so a reload keeps it (the reloaded tab is still the active
 * device) while two windows of one profile are two devices. Random where storage is absent.
 */
const PROFILE_KEY = "ringback.device";
const TAB_KEY = "ringback.tab";

const random = (n: number): string =>
  (globalThis.crypto?.randomUUID?.() ?? `${Math.random()}${Date.now()}`)
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, n);

function stored(storage: () => Storage | undefined, key: string, n: number): string {
  try {
    const s = storage();
    if (!s) return random(n);
    const have = s.getItem(key);
    if (have && /^[A-Za-z0-9]{1,40}$/.test(have)) return have;
    const made = random(n);
    s.setItem(key, made);
    return made;
  } catch {
    return random(n); // storage refused (privacy mode, sandboxed frame)
  }
}

/** The option when given, else `web-<profile>-<tab>` (letters, digits and '-': a valid id). */
export function deviceIdOf(option?: string): string {
  if (option !== undefined) return option;
  const profile = stored(() => globalThis.localStorage, PROFILE_KEY, 16);
  const tab = stored(() => globalThis.sessionStorage, TAB_KEY, 8);
  return `web-${profile}-${tab}`;
}

/**
 * The policy hook (docs/policy.md): before a start or an invitation, the app's backend is
 * asked whom not to ring. The request is signed like a callback (`Ringback-Signature`, one
 * `v1=` per webhook secret); the answer `{deny: [uid…]}` (200) names who is not delivered.
 * No usable answer within 1.5 s: RINGBACK_POLICY_FAIL decides (open: ring; closed: deliver
 * to none). A denied invitee is screened like a blocked one (core/screening.ts).
 */
import { logs } from "../logs.js";
import { headerSignature } from "../../channels/webhooks/signing.js";
import { ConfigError, isLoopback, previousSecrets } from "../../channels/webhooks/settings.js";
import { POLICY_FAIL, POLICY_URL, WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS } from "../../params.js";

/** The hook's whole budget: connect, send, answer (PROTOCOL: 1.5 s). */
export const POLICY_BUDGET_MS = 1500;

export interface PolicySettings {
  url: string;
  fail: "open" | "closed";
  /** The webhook secret, then the previous one while it rotates. */
  secrets: string[];
}

/** What the hook is asked (PROTOCOL: exactly these fields). */
export interface PolicyRequest {
  caller_id: string;
  callee_ids: string[];
  type: number;
  mode: string;
  extended_data: string;
}

/** The hook's settings, or undefined when it is off; a bad URL or no secret throws. */
export function parsePolicySettings(
  url: string,
  fail: string,
  secret: string,
  previous = "",
): PolicySettings | undefined {
  const trimmed = url.trim();
  if (trimmed === "") return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  const ok =
    parsed !== undefined &&
    (parsed.protocol === "https:" || (parsed.protocol === "http:" && isLoopback(parsed.hostname)));
  if (!ok) {
    throw new ConfigError(
      `RINGBACK_POLICY_URL must be https:// (http:// only for 127.0.0.1, ::1 or localhost), not ${JSON.stringify(url)}.`,
    );
  }
  const secrets = previousSecrets(secret); // "" or "none": no secret
  if (secrets.length === 0) {
    throw new ConfigError(
      "RINGBACK_POLICY_URL is set but RINGBACK_WEBHOOK_SECRET is not: the hook's requests are signed with it.",
    );
  }
  return {
    url: trimmed,
    fail: fail.trim() === "closed" ? "closed" : "open",
    secrets: [...secrets, ...previousSecrets(previous)],
  };
}

export const policySettings = (): PolicySettings | undefined =>
  parsePolicySettings(
    POLICY_URL.value(),
    POLICY_FAIL.value(),
    POLICY_URL.value() ? WEBHOOK_SECRET.value() : "",
    POLICY_URL.value() ? WEBHOOK_SECRET_PREVIOUS.value() : "",
  );

/** The answer's deny list, or a reason it is unusable. */
export function parseVerdict(status: number, text: string): string[] | string {
  if (status !== 200) return `HTTP ${status}`;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  const deny = (v as { deny?: unknown } | null)?.deny ?? [];
  if (!Array.isArray(deny) || !deny.every((u) => typeof u === "string")) {
    return "deny is not a list of uids";
  }
  return deny as string[];
}

/**
 * An AbortSignal for `budgetMs` of the time this process could listen. A cold instance holds
 * its event loop for a second or more while it loads the Firestore client beside the ask; a
 * plain timer then fires first on waking, before the answer already waiting on the socket is
 * read, and blames the hook. So a 50 ms ticker adds back each stall it sees (up to `budgetMs`
 * more in all), and the abort waits one turn of the loop, for input that arrived in time.
 */
export function listeningBudget(
  budgetMs: number,
  tickMs = 50,
): { signal: globalThis.AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const start = performance.now();
  let last = start;
  let stalled = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    const late = now - last - tickMs;
    if (late > 10) stalled += late;
    last = now;
    if (now < start + budgetMs + Math.min(stalled, budgetMs)) return;
    clearInterval(ticker);
    setImmediate(() =>
      controller.abort(new DOMException("policy hook: no answer", "TimeoutError")),
    );
  }, tickMs);
  return { signal: controller.signal, stop: () => clearInterval(ticker) };
}

/**
 * Asks the hook about `req`; resolves to who is not to be rung (never throws). Off: nobody.
 * Failed or late: nobody (open) or every callee (closed).
 */
export async function askPolicy(
  settings: PolicySettings | undefined,
  req: PolicyRequest,
  budgetMs = POLICY_BUDGET_MS,
): Promise<ReadonlySet<string>> {
  if (!settings || req.callee_ids.length === 0) return new Set();
  const body = JSON.stringify(req);
  const t = Math.floor(Date.now() / 1000);
  const budget = listeningBudget(budgetMs);
  try {
    const res = await fetch(settings.url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Ringback-Signature": headerSignature(settings.secrets, t, body),
      },
      body,
      // The whole exchange, the body's reading included, within the budget.
      signal: budget.signal,
    });
    const verdict = parseVerdict(res.status, await res.text());
    if (typeof verdict === "string") throw new Error(verdict);
    const named = new Set(req.callee_ids);
    return new Set(verdict.filter((u) => named.has(u)));
  } catch (e) {
    const why = e instanceof Error && e.name === "TimeoutError" ? "timeout" : String(e);
    logs.policyFailed(why, settings.fail);
    return settings.fail === "closed" ? new Set(req.callee_ids) : new Set();
  } finally {
    budget.stop();
  }
}

/**
 * callApi over raw HTTP, as a client without the Firebase SDK would speak it: `fetch` with a
 * bearer ID token, and a server-sent-events reader for the notification stream.
 */
import { getAuth } from "firebase/auth";
import type { TestUser } from "./clients.js";
import { env } from "./env.js";

export const callApiUrl = (rest = ""): string =>
  `${env.functionsOrigin}/${env.projectId}/us-central1/callApi${rest}`;

/** A user's current ID token (the SDK refreshes it when needed). */
export async function idToken(user: TestUser): Promise<string> {
  const token = await getAuth(user.app).currentUser?.getIdToken();
  if (!token) throw new Error(`${user.name} is not signed in`);
  return token;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (undefined when the body is not JSON). */
  json: { code: number; message: string; data?: unknown; reason?: string; details?: unknown };
  text: string;
}

/**
 * POSTs `body` (an object is sent as JSON, a string as is) to `/call/<command>` as `who`: a
 * user (their ID token), a raw token, or null for no Authorization header.
 */
export async function api(
  who: TestUser | string | null,
  command: string,
  body: unknown,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const token = who === null ? null : typeof who === "string" ? who : await idToken(who);
  const res = await fetch(callApiUrl(`/call/${command}`), {
    method: init.method ?? "POST",
    headers: {
      "content-type": "application/json",
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
    body:
      (init.method ?? "POST") === "GET"
        ? undefined
        : typeof body === "string"
          ? body
          : JSON.stringify(body),
  });
  const text = await res.text();
  let json: ApiAnswer["json"];
  try {
    json = JSON.parse(text) as ApiAnswer["json"];
  } catch {
    json = undefined as unknown as ApiAnswer["json"];
  }
  return { status: res.status, headers: res.headers, json, text };
}

export interface SseEvent {
  id: string;
  event: string;
  data: unknown;
}

export interface Stream {
  status: number;
  /** The JSON answer when the stream was refused. */
  refusal?: ApiAnswer["json"];
  /** Every event received, in order (events with data only). */
  events: SseEvent[];
  /** The last `id:` received (with or without data), as EventSource would keep it. */
  lastId(): string | undefined;
  comments: string[];
  /** Resolves once `n` events have arrived. */
  waitEvents(n: number, timeoutMs?: number): Promise<SseEvent[]>;
  /** Resolves with the first event for which `pred` holds, once it has arrived. */
  waitEvent(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Resolves once a comment matching `re` has arrived. */
  waitComment(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens the notification stream as `who`, resuming after `lastEventId` when given. */
export async function openStream(
  who: TestUser | string | null,
  opts: { lastEventId?: string; query?: string } = {},
): Promise<Stream> {
  const token = who === null ? null : typeof who === "string" ? who : await idToken(who);
  const ctl = new AbortController();
  const res = await fetch(callApiUrl(`/call/notifications${opts.query ?? ""}`), {
    headers: {
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      ...(opts.lastEventId !== undefined ? { "last-event-id": opts.lastEventId } : {}),
    },
    signal: ctl.signal,
  });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let lastId: string | undefined;
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((w) => w());
  const stream: Stream = {
    status: res.status,
    events,
    comments,
    lastId: () => lastId,
    waitEvents: (n, timeoutMs = 20_000) =>
      until(() => (events.length >= n ? events.slice(0, n) : undefined), `${n} events`, timeoutMs),
    waitEvent: (pred, timeoutMs = 20_000) =>
      until(() => events.find(pred), "a matching event", timeoutMs),
    waitComment: (re, timeoutMs = 20_000) =>
      until(() => comments.find((c) => re.test(c)), `a comment ${re}`, timeoutMs),
    ended: Promise.resolve(),
    close: () => ctl.abort(),
  };
  function until<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const test = () => {
        const v = check();
        if (v === undefined) return false;
        waiters.delete(test);
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(new Error(`stream: timed out waiting for ${what}; got ${JSON.stringify(events)}`));
      }, timeoutMs);
      if (!test()) waiters.add(test);
    });
  }
  if (res.status !== 200 || !res.body) {
    stream.refusal = (await res.json()) as ApiAnswer["json"];
    return stream;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  stream.ended = (async () => {
    let buf = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line.slice(1).trim());
            else {
              const i = line.indexOf(":");
              const k = i < 0 ? line : line.slice(0, i);
              fields[k] =
                (fields[k] !== undefined ? `${fields[k]}\n` : "") +
                line.slice(i + 1).replace(/^ /, "");
            }
          }
          if (fields.id !== undefined) lastId = fields.id;
          if (fields.data !== undefined) {
            events.push({
              id: fields.id ?? "",
              event: fields.event ?? "message",
              data: JSON.parse(fields.data),
            });
          }
          changed();
        }
      }
    } catch (e) {
      if (!ctl.signal.aborted) throw e;
    }
  })();
  return stream;
}

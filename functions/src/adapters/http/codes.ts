/**
 * The HTTP door's answers (docs/protocol.md#http-api-zego-call-compatible): every refusal
 * the callables can give, as an HTTP status and a stable integer `code` (the status's three
 * digits and two more), from the HttpsError's code and `details.reason`.
 */
import { HttpsError, type FunctionsErrorCode } from "firebase-functions/v2/https";

/** The HTTP status of each HttpsError code the callables use (any other: 500). */
const STATUS: Partial<Record<FunctionsErrorCode, number>> = {
  "invalid-argument": 400,
  unauthenticated: 401,
  "permission-denied": 403,
  "not-found": 404,
  "failed-precondition": 409,
  "already-exists": 409,
  aborted: 409,
  "resource-exhausted": 429,
  unavailable: 503,
  internal: 500,
  "data-loss": 500,
};

/**
 * [status, reason, code]: one row a refusal. A reason may appear under two statuses (a
 * `not_in_call` permission refusal and a `not_in_call` state refusal): each has its own code.
 * Codes never change once given out; new reasons take new numbers.
 */
export const HTTP_CODES: readonly (readonly [number, string, number])[] = [
  [400, "invalid_argument", 40001],
  [400, "malformed_json", 40002],
  [400, "bad_cursor", 40003],
  [401, "unauthenticated", 40101],
  [401, "app_check", 40102],
  [403, "impersonation", 40301],
  [403, "caller_mismatch", 40302],
  [403, "not_in_call", 40303],
  [403, "origin_not_allowed", 40304],
  [404, "call_not_found", 40401],
  [404, "user_not_found", 40402],
  [404, "unknown_command", 40403],
  [405, "method_not_allowed", 40501],
  [409, "busy", 40901],
  [409, "call_ended", 40902],
  [409, "already_answered", 40903],
  [409, "not_invited", 40904],
  [409, "not_inviter", 40905],
  [409, "not_in_call", 40906],
  [409, "not_accepted", 40907],
  [409, "mode_common", 40908],
  [409, "call_full", 40909],
  [409, "already_in_call", 40910],
  [409, "call_exists", 40911],
  [409, "contention", 40912],
  [409, "answered_elsewhere", 40913],
  [413, "body_too_large", 41301],
  [429, "rate_limited", 42901],
  [500, "internal", 50001],
  [500, "unreadable_document", 50002],
  [503, "unavailable", 50301],
];

const BY_KEY = new Map(HTTP_CODES.map(([status, reason, code]) => [`${status}:${reason}`, code]));

/** The code for a refusal; a reason missing from the table gets `<status>99`. */
export function httpCode(status: number, reason: string): number {
  return BY_KEY.get(`${status}:${reason}`) ?? status * 100 + 99;
}

/** An answer of the HTTP door: status, `{code, message}` and what else the body carries. */
export interface HttpAnswer {
  status: number;
  body: {
    code: number;
    message: string;
    data?: unknown;
    reason?: string;
    details?: Record<string, unknown>;
  };
  headers?: Record<string, string>;
}

export function ok(data: unknown): HttpAnswer {
  return { status: 200, body: { code: 0, message: "", data } };
}

/** A refusal the door itself makes (before any command runs). */
export function refusal(status: number, reason: string, message: string): HttpAnswer {
  return { status, body: { code: httpCode(status, reason), message, reason } };
}

/** A callable's HttpsError as the door's answer; 429 adds Retry-After. */
export function fromHttpsError(e: HttpsError): HttpAnswer {
  const status = STATUS[e.code] ?? 500;
  const details = (e.details ?? {}) as Record<string, unknown>;
  const reason = typeof details.reason === "string" ? details.reason : e.code.replace(/-/g, "_");
  const { reason: _r, ...rest } = details;
  const answer: HttpAnswer = {
    status,
    body: { code: httpCode(status, reason), message: e.message, reason, details: rest },
  };
  const retryMs = rest.retry_after_ms;
  if (status === 429 && typeof retryMs === "number") {
    answer.headers = { "retry-after": String(Math.max(1, Math.ceil(retryMs / 1000))) };
  }
  return answer;
}

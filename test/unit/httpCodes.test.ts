/**
 * The HTTP door's answers: a stable, distinct code for every refusal the callables document,
 * and the CORS decision (which the Functions emulator hides: it answers every origin itself).
 */
import fs from "node:fs";
import path from "node:path";
import { HttpsError } from "firebase-functions/v2/https";
import { afterEach, describe, expect, it } from "vitest";
import { fromHttpsError, HTTP_CODES, httpCode } from "../../functions/src/adapters/http/codes.js";
import { httpDoor, type Runnable } from "../../functions/src/adapters/http/door.js";
import { toHttpsError } from "../../functions/src/adapters/callable/httpsErrors.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), "utf8");
const STATUS: Record<string, number> = {
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
};

describe("HTTP_CODES", () => {
  it("gives distinct codes, each starting with its status", () => {
    const codes = HTTP_CODES.map(([, , c]) => c);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [status, , code] of HTTP_CODES) expect(Math.floor(code / 100)).toBe(status);
  });

  it("has a code for every refusal in docs/protocol.md#errors", () => {
    const errors = read("docs/protocol.md").split("\n## Errors\n")[1]?.split("\n## ")[0] ?? "";
    const rows = [...errors.matchAll(/^\| `([a-z-]+)` +\| `([a-z_]+)` +\|/gm)];
    expect(rows.length).toBeGreaterThan(15);
    for (const [, code, reason] of rows) {
      const status = STATUS[code as string];
      expect(status, `${code}`).toBeDefined();
      const known = HTTP_CODES.some(([s, r]) => s === status && r === reason);
      expect(known, `${code} ${reason}`).toBe(true);
    }
  });

  it("is the table docs/http-api.md lists", () => {
    const listed = [
      ...read("docs/http-api.md").matchAll(/^\| (\d{3}) +\| `([a-z_]+)` +\| (\d{5}) +\|/gm),
    ];
    expect(listed.map(([, s, r, c]) => [Number(s), r, Number(c)])).toEqual(
      HTTP_CODES.map((row) => [...row]),
    );
  });

  it("maps a callable's refusal to status, code, reason and details, with Retry-After", () => {
    const e = new HttpsError("resource-exhausted", "Slow down.", {
      reason: "rate_limited",
      retry_after_ms: 1500,
    });
    expect(fromHttpsError(e)).toEqual({
      status: 429,
      body: {
        code: 42901,
        message: "Slow down.",
        reason: "rate_limited",
        details: { retry_after_ms: 1500 },
      },
      headers: { "retry-after": "2" },
    });
    expect(httpCode(409, "some_new_reason")).toBe(40999);
  });

  it("answers a lost database 503 and contention 409, as the callables' error map says", () => {
    const grpc = (code: number, message: string) => Object.assign(new Error(message), { code });
    const unavailable = fromHttpsError(toHttpsError(grpc(14, "14 UNAVAILABLE: no connection")));
    expect([unavailable.status, unavailable.body.code]).toEqual([503, 50301]);
    const contention = fromHttpsError(toHttpsError(grpc(10, "10 ABORTED: too much contention")));
    expect([contention.status, contention.body.code]).toEqual([409, 40912]);
  });
});

/** Just enough of Express's request and response for the door's routing and CORS. */
function exchange(method: string, url: string, headers: Record<string, string>) {
  const out = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const res = {
    set(k: string | Record<string, string>, v?: string) {
      Object.assign(out.headers, typeof k === "string" ? { [k]: v } : k);
      return res;
    },
    status(s: number) {
      out.status = s;
      return res;
    },
    json(b: unknown) {
      out.body = b;
    },
    end() {},
  };
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const req = { method, path: url, header: (n: string) => lower[n.toLowerCase()] };
  return { req, res, out };
}

describe("httpDoor: routing and CORS", () => {
  const never: Runnable = { run: () => Promise.reject(new Error("not run in these tests")) };
  const door = httpDoor({ heartbeat: never }, () => Promise.reject(new Error("no stream")));
  const run = async (method: string, url: string, headers: Record<string, string> = {}) => {
    const x = exchange(method, url, headers);
    await door(x.req as never, x.res as never);
    return x.out;
  };
  afterEach(() => {
    delete process.env.RINGBACK_HTTP_CORS_ORIGINS;
  });

  it("allows no origin by default: no CORS headers, preflights refused", async () => {
    const pre = await run("OPTIONS", "/call/heartbeat", { origin: "https://app.example" });
    expect(pre.status).toBe(403);
    expect(pre.body).toMatchObject({ code: 40304, reason: "origin_not_allowed" });
    expect(pre.headers["access-control-allow-origin"]).toBeUndefined();
    const wrong = await run("PUT", "/call/heartbeat", { origin: "https://app.example" });
    expect(wrong.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("answers an allowed origin's preflight and requests, and nobody else's", async () => {
    process.env.RINGBACK_HTTP_CORS_ORIGINS = "https://app.example,https://admin.example";
    const pre = await run("OPTIONS", "/call/heartbeat", { origin: "https://admin.example" });
    expect(pre.status).toBe(204);
    expect(pre.headers).toMatchObject({
      "access-control-allow-origin": "https://admin.example",
      "access-control-allow-methods": "POST",
      vary: "Origin",
    });
    expect(pre.headers["access-control-allow-headers"]).toMatch(
      /authorization.*x-firebase-appcheck/,
    );
    const other = await run("OPTIONS", "/call/heartbeat", { origin: "https://evil.example" });
    expect(other.status).toBe(403);
    const stream = await run("OPTIONS", "/call/notifications", { origin: "https://app.example" });
    expect(stream.headers["access-control-allow-methods"]).toBe("GET");
  });

  it("routes by the last two path segments: 404 unknown, 405 wrong method", async () => {
    expect((await run("POST", "/call/start_call")).body).toMatchObject({ code: 40403 });
    expect((await run("POST", "/heartbeat")).status).toBe(404);
    const get = await run("GET", "/call/heartbeat/");
    expect([get.status, get.headers.allow]).toEqual([405, "POST"]);
  });
});

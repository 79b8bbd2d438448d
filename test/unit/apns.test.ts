/**
 * The APNs VoIP sender on the wire (docs/protocol.md#offline-push): a local HTTP/2 TLS server
 * stands in for APNs and checks what Apple checks: the path, the VoIP headers, and the
 * provider token (an ES256 JWT over the team id, signed with the .p8 key, verified here with
 * its public key); it answers each token as APNs would, and the sender sorts the answers.
 */
import { generateKeyPairSync, verify } from "node:crypto";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apnsOutcome,
  ApnsSender,
  parseApnsKey,
  type ApnsConfig,
} from "../../functions/src/channels/push/apnsSender.js";
import {
  messagesFor,
  type ApnsEnv,
  type PushMessage,
} from "../../functions/src/channels/push/messages.js";
import { selfSigned } from "../support/tls.js";

interface Seen {
  headers: http2.IncomingHttpHeaders;
  body: string;
}

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const p8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const seen: Seen[] = [];
/** The server's connections, in order; and how many next requests it leaves unanswered. */
const conns = new Set<http2.ServerHttp2Session>();
let stallNext = 0;
let dropNext = 0;
let server: http2.Http2SecureServer;
let origin = "";
let cert = "";

beforeAll(async () => {
  const tls = selfSigned();
  cert = tls.cert;
  server = http2.createSecureServer(tls, (req, res) => {
    conns.add(req.stream.session as http2.ServerHttp2Session);
    if (stallNext > 0) {
      stallNext--;
      return; // never answers: a half-open session, as on Cloud Run
    }
    if (dropNext > 0) {
      dropNext--;
      req.stream.session?.destroy(); // the connection drops mid-request
      return;
    }
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      seen.push({ headers: req.headers, body });
      const token = String(req.headers[":path"]).split("/").pop() ?? "";
      const answer = (status: number, reason?: string) => {
        res.writeHead(status, { "apns-id": "00000000-0000-0000-0000-000000000000" });
        res.end(reason ? JSON.stringify({ reason }) : "");
      };
      if (token.startsWith("gone")) answer(410, "Unregistered");
      else if (token.startsWith("bad")) answer(400, "BadDeviceToken");
      else if (token.startsWith("busy")) answer(503, "ServiceUnavailable");
      else if (token.startsWith("topic")) answer(400, "TopicDisallowed");
      else if (token.startsWith("nottopic")) answer(400, "DeviceTokenNotForTopic");
      else if (token.startsWith("expired")) answer(403, "ExpiredProviderToken");
      else if (token.startsWith("slow")) answer(429, "TooManyRequests");
      else if (token.startsWith("oops")) answer(500, "InternalServerError");
      else answer(200);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const ring = (token: string, apns_env?: ApnsEnv): PushMessage => {
  const [m] = messagesFor(
    "job-1",
    {
      type: "ring",
      call_id: "call-1",
      uid: "bob",
      caller_id: "alice",
      caller_name: "Alice",
      call_type: 2,
      expires_at: Date.UTC(2030, 0, 1, 12, 0, 30),
    },
    [{ device_id: "ipad", platform: "ios", fcm_token: null, voip_token: token, apns_env }],
    true,
  );
  return m as PushMessage;
};

const b64json = (s: string) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));

describe("APNs VoIP on the wire", () => {
  it("sends the VoIP headers and a valid ES256 provider token; sorts APNs's answers", async () => {
    const sender = new ApnsSender({
      origin,
      key: p8,
      keyId: "KEY1234567",
      teamId: "TEAM123456",
      bundleId: "com.example.app",
      ca: cert,
    });
    const out = await sender.send([
      ring("ok1"),
      ring("gone1"),
      ring("bad1"),
      ring("busy1"),
      ring("topic1"),
    ]);
    expect(out).toEqual([
      { ok: true },
      { ok: false, error: "unregistered", code: "410 Unregistered" },
      // The device's environment is unknown: a wrong host, not a dead token.
      { ok: false, error: "config", code: "400 BadDeviceToken", fix: expect.any(String) },
      { ok: false, error: "transient", code: "503 ServiceUnavailable" },
      { ok: false, error: "config", code: "400 TopicDisallowed", fix: expect.any(String) },
    ]);
    const first = seen.find((s) => s.headers[":path"] === "/3/device/ok1") as Seen;
    expect(first.headers).toMatchObject({
      ":method": "POST",
      "apns-push-type": "voip",
      "apns-topic": "com.example.app.voip",
      "apns-priority": "10",
      "apns-expiration": String(Date.UTC(2030, 0, 1, 12, 0, 30) / 1000),
      "apns-collapse-id": "call-1",
    });
    expect(JSON.parse(first.body)).toMatchObject({
      type: "ring",
      call_id: "call-1",
      caller_name: "Alice",
    });
    // The provider token: ES256, kid = key id, iss = team id, iat = now; signature r‖s.
    const auth = String(first.headers.authorization);
    expect(auth).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const [h, c, sig] = auth.slice("bearer ".length).split(".") as [string, string, string];
    expect(b64json(h)).toEqual({ alg: "ES256", kid: "KEY1234567" });
    const claims = b64json(c);
    expect(claims.iss).toBe("TEAM123456");
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
    const raw = Buffer.from(sig, "base64url");
    expect(raw).toHaveLength(64);
    expect(
      verify(
        "sha256",
        Buffer.from(`${h}.${c}`),
        { key: publicKey, dsaEncoding: "ieee-p1363" },
        raw,
      ),
    ).toBe(true);
    // One token for all requests of the hour, over one connection.
    const auths = new Set(seen.map((s) => s.headers.authorization));
    expect(auths.size).toBe(1);
    sender.close();
  });

  it("an unreachable host is transient, never a throw", async () => {
    const sender = new ApnsSender({
      origin: "https://127.0.0.1:1",
      key: p8,
      keyId: "K",
      teamId: "T",
      bundleId: "b",
      timeoutMs: 2000,
    });
    const [o] = await sender.send([ring("ok2")]);
    expect(o).toMatchObject({ ok: false, error: "transient" });
    sender.close();
  });

  it("maps statuses as Apple documents them", () => {
    expect(apnsOutcome(200, undefined)).toEqual({ ok: true });
    expect(apnsOutcome(410, "Unregistered")).toMatchObject({ error: "unregistered" });
    expect(apnsOutcome(400, "BadDeviceToken", true)).toMatchObject({ error: "unregistered" });
    expect(apnsOutcome(400, "BadDeviceToken", false)).toMatchObject({ error: "config" });
    // A wrong bundle or key is ours: no VoIP token pruned for it.
    expect(apnsOutcome(400, "DeviceTokenNotForTopic", true)).toMatchObject({ error: "config" });
    expect(apnsOutcome(403, "ExpiredProviderToken")).toMatchObject({ error: "config" });
    expect(apnsOutcome(403, "InvalidProviderToken")).toMatchObject({ error: "config" });
    expect(apnsOutcome(429, "TooManyRequests")).toMatchObject({ error: "transient" });
    expect(apnsOutcome(500, "InternalServerError")).toMatchObject({ error: "transient" });
  });
});

describe("APNs answers and sessions on the wire", () => {
  const sender = (over: Partial<ApnsConfig> = {}) =>
    new ApnsSender({
      origin,
      key: p8,
      keyId: "KEY1234567",
      teamId: "TEAM123456",
      bundleId: "com.example.app",
      ca: cert,
      timeoutMs: 400,
      ...over,
    });

  it("sorts 410, BadDeviceToken (known environment), ExpiredProviderToken, 429 and 5xx", async () => {
    const s = sender({ origins: { sandbox: origin, production: origin } });
    const out = await s.send([
      ring("gone2", "sandbox"),
      ring("bad2", "production"),
      ring("nottopic2", "sandbox"),
      ring("expired2", "production"),
      ring("slow2", "production"),
      ring("oops2", "production"),
    ]);
    expect(out.map((o) => (o.ok ? "ok" : `${o.error} ${o.code}`))).toEqual([
      "unregistered 410 Unregistered",
      "unregistered 400 BadDeviceToken",
      "config 400 DeviceTokenNotForTopic",
      "config 403 ExpiredProviderToken",
      "transient 429 TooManyRequests",
      "transient 500 InternalServerError",
    ]);
    // An expired provider token is tried once more, with a fresh token; then given up.
    const expired = seen.filter((x) => x.headers[":path"] === "/3/device/expired2");
    expect(expired).toHaveLength(2);
    expect(expired[0]?.headers.authorization).not.toBe(expired[1]?.headers.authorization);
    s.close();
  });

  it("a device's environment picks its host; unknown goes to the default origin", async () => {
    const s = sender({ origin: "https://127.0.0.1:1", origins: { sandbox: origin } });
    const [sandbox, unknown] = await s.send([ring("ok-env", "sandbox"), ring("ok-noenv")]);
    expect(sandbox).toEqual({ ok: true });
    expect(unknown).toMatchObject({ ok: false, error: "transient" }); // nothing listens there
    s.close();
  });

  it("a stalled session is destroyed and the ring goes on a fresh one", async () => {
    const s = sender();
    expect(await s.send([ring("ok-warm")])).toEqual([{ ok: true }]);
    const before = conns.size;
    stallNext = 1;
    const t0 = Date.now();
    expect(await s.send([ring("ok-stalled")])).toEqual([{ ok: true }]);
    expect(Date.now() - t0).toBeLessThan(2000); // one short timeout, not 10 s
    expect(s.opened).toBe(2);
    expect(conns.size).toBe(before + 1);
    // The next ring uses the fresh session, never the stalled one.
    expect(await s.send([ring("ok-after")])).toEqual([{ ok: true }]);
    expect(s.opened).toBe(2);
    s.close();
  });

  it("a dropped connection is retried once on a fresh session; twice is transient", async () => {
    const s = sender();
    dropNext = 1;
    expect(await s.send([ring("ok-drop")])).toEqual([{ ok: true }]);
    expect(s.opened).toBe(2);
    dropNext = 2;
    expect(await s.send([ring("ok-drop2")])).toEqual([
      { ok: false, error: "transient", code: expect.any(String) },
    ]);
    stallNext = 2;
    expect(await s.send([ring("ok-stall2")])).toEqual([
      { ok: false, error: "transient", code: "timeout" },
    ]);
    s.close();
  });

  it("a session idle longer than idleMs is replaced before use (injected clock)", async () => {
    let now = 1_000_000;
    const s = sender({ now: () => now, idleMs: 60_000 });
    await s.send([ring("ok-idle1")]);
    now += 30_000;
    await s.send([ring("ok-idle2")]);
    expect(s.opened).toBe(1);
    now += 61_000;
    expect(await s.send([ring("ok-idle3")])).toEqual([{ ok: true }]);
    expect(s.opened).toBe(2);
    s.close();
  });
});

describe("the APNs key", () => {
  it("parses a .p8, and one pasted with literal \\n escapes; refuses a placeholder", () => {
    expect("key" in parseApnsKey(p8)).toBe(true);
    expect("key" in parseApnsKey(p8.replace(/\n/g, "\\n"))).toBe(true);
    expect(parseApnsKey("none")).toMatchObject({ error: expect.any(String) });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expect(parseApnsKey(rsa.export({ type: "pkcs8", format: "pem" }).toString())).toEqual({
      error: "not an EC (ES256) private key",
    });
  });
});

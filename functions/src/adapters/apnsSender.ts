/**
 * The APNs VoIP sender over node:http2 (docs/protocol.md#offline-push): one connection to
 * the APNs host, an ES256 provider token (JWT) signed with the team's .p8 key and reused for
 * 50 minutes (Apple refuses one older than an hour, and asks for no new one within 20), one
 * POST per device token. node:http2 directly rather than a library: it is one request shape,
 * and the fewer dependencies a deployed function loads, the faster it starts.
 */
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import http2 from "node:http2";
import {
  apnsRequest,
  type PushMessage,
  type PushSender,
  type SendOutcome,
} from "./pushMessages.js";

export interface ApnsConfig {
  /** e.g. https://api.push.apple.com or https://api.sandbox.push.apple.com */
  origin: string;
  /** The .p8 key's PEM text. */
  key: string;
  keyId: string;
  teamId: string;
  bundleId: string;
  /** Extra CA certificates (a test server's own). */
  ca?: string;
  /** How long one request may take. */
  timeoutMs?: number;
}

const TOKEN_REUSE_S = 50 * 60;

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** The provider token: ES256 over `header.claims`, the signature raw r‖s (not DER). */
export function providerToken(key: KeyObject, keyId: string, teamId: string, iat: number): string {
  const head = b64url(JSON.stringify({ alg: "ES256", kid: keyId }));
  const claims = b64url(JSON.stringify({ iss: teamId, iat }));
  const sig = sign("sha256", Buffer.from(`${head}.${claims}`), {
    key,
    dsaEncoding: "ieee-p1363",
  });
  return `${head}.${claims}.${b64url(sig)}`;
}

/** The outcome of an APNs answer (status and `reason`). */
export function apnsOutcome(status: number, reason: string | undefined): SendOutcome {
  if (status === 200) return { ok: true };
  const code = `${status} ${reason ?? ""}`.trim();
  if (status === 410) return { ok: false, error: "unregistered", code };
  if (status === 400 && (reason === "BadDeviceToken" || reason === "DeviceTokenNotForTopic")) {
    return { ok: false, error: "unregistered", code };
  }
  if (status === 429 || status >= 500 || reason === "ExpiredProviderToken") {
    return { ok: false, error: "transient", code };
  }
  return { ok: false, error: "permanent", code };
}

export class ApnsSender implements PushSender {
  readonly name = "apns";
  private readonly key: KeyObject;
  private token: { jwt: string; iat: number } | undefined;
  private session: http2.ClientHttp2Session | undefined;

  constructor(private readonly cfg: ApnsConfig) {
    this.key = createPrivateKey(cfg.key);
  }

  get topic(): string {
    return `${this.cfg.bundleId}.voip`;
  }

  private jwt(): string {
    const now = Math.floor(Date.now() / 1000);
    if (!this.token || now - this.token.iat >= TOKEN_REUSE_S) {
      this.token = { jwt: providerToken(this.key, this.cfg.keyId, this.cfg.teamId, now), iat: now };
    }
    return this.token.jwt;
  }

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const s = http2.connect(this.cfg.origin, this.cfg.ca ? { ca: this.cfg.ca } : {});
    s.on("error", () => undefined); // each request reports its own failure
    s.on("close", () => {
      if (this.session === s) this.session = undefined;
    });
    s.unref();
    this.session = s;
    return s;
  }

  private one(m: PushMessage): Promise<SendOutcome> {
    const req = apnsRequest(m, this.topic);
    return new Promise((resolve) => {
      let settled = false;
      const done = (o: SendOutcome) => {
        if (!settled) resolve(o);
        settled = true;
      };
      try {
        const stream = this.connect().request({
          ":method": "POST",
          ":path": req.path,
          authorization: `bearer ${this.jwt()}`,
          ...req.headers,
        });
        stream.setTimeout(this.cfg.timeoutMs ?? 10_000, () => {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          done({ ok: false, error: "transient", code: "timeout" });
        });
        let status = 0;
        let body = "";
        stream.on("response", (h) => (status = Number(h[":status"])));
        stream.on("data", (c: Buffer) => (body += c.toString("utf8")));
        stream.on("end", () => {
          let reason: string | undefined;
          try {
            reason = (JSON.parse(body) as { reason?: string }).reason;
          } catch {
            reason = undefined;
          }
          if (reason === "ExpiredProviderToken") this.token = undefined;
          done(apnsOutcome(status, reason));
        });
        stream.on("error", (e) => done({ ok: false, error: "transient", code: e.message }));
        stream.end(req.body);
      } catch (e) {
        done({ ok: false, error: "transient", code: String(e) });
      }
    });
  }

  send(messages: readonly PushMessage[]): Promise<SendOutcome[]> {
    return Promise.all(messages.map((m) => this.one(m)));
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}

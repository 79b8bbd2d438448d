/**
 * The APNs VoIP sender over node:http2 (docs/protocol.md#offline-push): one connection per
 * APNs host (a device's `apns_env` picks sandbox or production), an ES256 provider token
 * (JWT) signed with the team's .p8 key and reused for 50 minutes (Apple refuses one older
 * than an hour, and asks for no new one within 20), one POST per device token. node:http2
 * directly rather than a library: it is one request shape, and the fewer dependencies a
 * deployed function loads, the faster it starts.
 *
 * A session that timed out, got GOAWAY or failed is destroyed, never reused (on Cloud Run a
 * half-open one would stall every ring); one idle longer than `idleMs` is replaced before use;
 * a request that times out or loses its connection is tried once more on a fresh session.
 */
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import http2 from "node:http2";
import {
  apnsRequest,
  type ApnsEnv,
  type PushMessage,
  type PushSender,
  type SendOutcome,
} from "./messages.js";

export const APNS_HOSTS: Record<ApnsEnv, string> = {
  production: "api.push.apple.com",
  sandbox: "api.sandbox.push.apple.com",
};

export interface ApnsConfig {
  /** Where a device of unknown environment goes, e.g. https://api.push.apple.com. */
  origin: string;
  /** Per environment (default: Apple's two hosts). */
  origins?: Partial<Record<ApnsEnv, string>>;
  /** The .p8 key: its PEM text, or a parsed key. */
  key: string | KeyObject;
  keyId: string;
  teamId: string;
  bundleId: string;
  /** Extra CA certificates (a test server's own). */
  ca?: string;
  /** How long one request may take before its session is dropped (default 3 s). */
  timeoutMs?: number;
  /** A session idle this long is replaced before use (default 60 s). */
  idleMs?: number;
  /** The clock (epoch ms), injectable for tests. */
  now?: () => number;
}

const TOKEN_REUSE_S = 50 * 60;

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/**
 * The .p8 key, or why it does not parse. A key pasted with literal `\n` escapes (a common
 * paste into a secret) is un-escaped and tried again.
 */
export function parseApnsKey(text: string): { key: KeyObject } | { error: string } {
  let first = "";
  for (const pem of [text, text.replace(/\\n/g, "\n")]) {
    try {
      const key = createPrivateKey(pem);
      if (key.asymmetricKeyType !== "ec") return { error: "not an EC (ES256) private key" };
      return { key };
    } catch (e) {
      first ||= (e as Error).message;
    }
  }
  return { error: first };
}

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

/** Answers about our setup, not the token, and their fix. */
const CONFIG_FIXES: Record<string, string> = {
  DeviceTokenNotForTopic:
    "the VoIP token is not for <RINGBACK_APNS_BUNDLE_ID>.voip: check the bundle id param",
  TopicDisallowed: "check RINGBACK_APNS_BUNDLE_ID and the key's app",
  BadTopic: "check RINGBACK_APNS_BUNDLE_ID",
  ExpiredProviderToken: "the provider token was refused as expired: check the server clock",
  InvalidProviderToken:
    "check RINGBACK_APNS_KEY_ID, RINGBACK_APNS_TEAM_ID and the key in RINGBACK_APNS_KEY",
  MissingProviderToken: "check the APNs key params",
  BadCertificateEnvironment: "the key does not serve this APNs environment",
  Forbidden: "the APNs key was revoked or lacks APNs: create a new one",
};

/**
 * The outcome of an APNs answer (status and `reason`). `envKnown`: the device said which
 * environment its token is for, so BadDeviceToken means the token, not a wrong host.
 */
export function apnsOutcome(
  status: number,
  reason: string | undefined,
  envKnown = false,
): SendOutcome {
  if (status === 200) return { ok: true };
  const code = `${status} ${reason ?? ""}`.trim();
  if (status === 410) return { ok: false, error: "unregistered", code };
  if (status === 400 && reason === "BadDeviceToken") {
    if (envKnown) return { ok: false, error: "unregistered", code };
    const fix =
      "BadDeviceToken from a device of unknown APNs environment: register devices with " +
      "apns_env (sandbox for development builds), or set RINGBACK_APNS_HOST to match";
    return { ok: false, error: "config", code, fix };
  }
  const fix = reason ? CONFIG_FIXES[reason] : undefined;
  if (fix) return { ok: false, error: "config", code, fix };
  if (status === 429 || status >= 500) return { ok: false, error: "transient", code };
  if (status === 403) {
    return { ok: false, error: "config", code, fix: "APNs refused our credentials" };
  }
  return { ok: false, error: "permanent", code };
}

/** A request that never got an answer: the session is suspect. */
type Lost = { lost: string };

export class ApnsSender implements PushSender {
  readonly name = "apns";
  private readonly key: KeyObject;
  private readonly now: () => number;
  private token: { jwt: string; iat: number } | undefined;
  private readonly sessions = new Map<string, { s: http2.ClientHttp2Session; used: number }>();
  /** Sessions opened so far (tests: a stalled one is replaced). */
  opened = 0;

  constructor(private readonly cfg: ApnsConfig) {
    this.key = typeof cfg.key === "string" ? createPrivateKey(cfg.key) : cfg.key;
    this.now = cfg.now ?? Date.now;
  }

  get topic(): string {
    return `${this.cfg.bundleId}.voip`;
  }

  private originOf(m: PushMessage): string {
    if (!m.apns_env) return this.cfg.origin;
    return this.cfg.origins?.[m.apns_env] ?? `https://${APNS_HOSTS[m.apns_env]}`;
  }

  private jwt(): string {
    const now = Math.floor(this.now() / 1000);
    if (!this.token || now - this.token.iat >= TOKEN_REUSE_S) {
      this.token = { jwt: providerToken(this.key, this.cfg.keyId, this.cfg.teamId, now), iat: now };
    }
    return this.token.jwt;
  }

  private drop(origin: string, s: http2.ClientHttp2Session): void {
    if (this.sessions.get(origin)?.s === s) this.sessions.delete(origin);
    if (!s.destroyed) s.destroy();
  }

  private session(origin: string): http2.ClientHttp2Session {
    const had = this.sessions.get(origin);
    const now = this.now();
    if (had && !had.s.closed && !had.s.destroyed) {
      if (now - had.used <= (this.cfg.idleMs ?? 60_000)) {
        had.used = now;
        return had.s;
      }
      this.drop(origin, had.s); // idle: NAT or the platform may have cut it silently
    }
    const s = http2.connect(origin, this.cfg.ca ? { ca: this.cfg.ca } : {});
    this.opened++;
    s.on("error", () => this.drop(origin, s)); // each request reports its own failure
    s.on("goaway", () => this.drop(origin, s));
    s.on("close", () => this.sessions.get(origin)?.s === s && this.sessions.delete(origin));
    s.unref();
    this.sessions.set(origin, { s, used: now });
    return s;
  }

  /** One request on the origin's session: an answer, or `lost` (and the session dropped). */
  private attempt(m: PushMessage, origin: string): Promise<SendOutcome | Lost> {
    const req = apnsRequest(m, this.topic);
    return new Promise((resolve) => {
      let settled = false;
      const done = (o: SendOutcome | Lost) => {
        if (!settled) resolve(o);
        settled = true;
      };
      let s: http2.ClientHttp2Session | undefined;
      try {
        s = this.session(origin);
        const session = s;
        const stream = session.request({
          ":method": "POST",
          ":path": req.path,
          authorization: `bearer ${this.jwt()}`,
          ...req.headers,
        });
        stream.setTimeout(this.cfg.timeoutMs ?? 3_000, () => {
          this.drop(origin, session); // a stalled stream means a suspect session
          done({ lost: "timeout" });
        });
        let status = 0;
        let body = "";
        stream.on("response", (h) => (status = Number(h[":status"])));
        stream.on("data", (c: Buffer) => (body += c.toString("utf8")));
        stream.on("end", () => {
          if (status === 0) return done({ lost: "no answer" });
          let reason: string | undefined;
          try {
            reason = (JSON.parse(body) as { reason?: string }).reason;
          } catch {
            reason = undefined;
          }
          if (reason === "ExpiredProviderToken") this.token = undefined;
          done(apnsOutcome(status, reason, m.apns_env !== undefined));
        });
        stream.on("close", () => done({ lost: "stream closed" }));
        stream.on("error", (e) => {
          this.drop(origin, session);
          done({ lost: e.message });
        });
        stream.end(req.body);
      } catch (e) {
        if (s) this.drop(origin, s);
        done({ lost: String(e) });
      }
    });
  }

  /**
   * One message: a lost request is tried once more, on a fresh session; one refused for an
   * expired provider token once more with a fresh token (a clock step can cause it).
   */
  private async one(m: PushMessage): Promise<SendOutcome> {
    const origin = this.originOf(m);
    let o = await this.attempt(m, origin);
    if ("lost" in o || (!o.ok && o.code === "403 ExpiredProviderToken")) {
      o = await this.attempt(m, origin);
    }
    return "lost" in o ? { ok: false, error: "transient", code: o.lost } : o;
  }

  send(messages: readonly PushMessage[]): Promise<SendOutcome[]> {
    return Promise.all(messages.map((m) => this.one(m)));
  }

  close(): void {
    for (const [origin, { s }] of this.sessions) {
      this.sessions.delete(origin);
      s.close();
    }
  }
}

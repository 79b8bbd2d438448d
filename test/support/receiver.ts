/**
 * A real HTTP receiver for the webhook tests, on the address the stack's functions post
 * callbacks to (RINGBACK_WEBHOOK_URL, set by `npm test` for the webhook run). It records
 * every delivery and, per call id, can be told how to answer the next ones: fail with a
 * status, drop the connection, or answer too late.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Delivery {
  at: number;
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  /** How the receiver answered. */
  answered: string;
}

export type Behaviour = "ok" | "drop" | { status: number } | { delayMs: number };

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the webhook tests through \`npm test\`.`);
  return v;
}

export const webhookEnv = {
  get url(): URL {
    return new URL(required("RINGBACK_WEBHOOK_URL"));
  },
  get secret(): string {
    return required("RINGBACK_WEBHOOK_SECRET");
  },
  get appId(): string {
    return required("RINGBACK_APP_ID");
  },
};

export class Receiver {
  private readonly got: Delivery[] = [];
  private readonly scripts = new Map<string, { event?: string; queue: Behaviour[] }>();
  private readonly waiters = new Set<() => void>();
  private server: http.Server | undefined;

  /** Starts listening where the functions post (fails loudly if the port is taken). */
  async start(): Promise<this> {
    const url = webhookEnv.url;
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(Number(url.port), url.hostname, () => resolve());
    });
    this.server = server;
    return this;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  /** The next deliveries for `callId` (of `event` only, if given) get these answers, then "ok". */
  script(callId: string, behaviours: Behaviour[], event?: string): void {
    this.scripts.set(callId, { queue: [...behaviours], ...(event ? { event } : {}) });
  }

  deliveries(callId?: string): Delivery[] {
    return this.got.filter((d) => callId === undefined || d.body.call_id === callId);
  }

  /**
   * Deliveries answered 2xx, one per event id (a receiver dedupes on Ringback-Event-Id), in
   * the order of the events (Ringback-Event-Seq): the events of one change are delivered side
   * by side, so they may arrive in any order.
   */
  accepted(callId?: string): Delivery[] {
    const seen = new Set<string>();
    const seq = (d: Delivery) => Number(d.headers["ringback-event-seq"]);
    return this.deliveries(callId)
      .filter((d) => {
        const id = String(d.headers["ringback-event-id"]);
        if (d.answered !== "200" || seen.has(id)) return false;
        seen.add(id);
        return true;
      })
      .sort((a, b) => seq(a) - seq(b));
  }

  /** Resolves once `check` holds, re-checked at every delivery. */
  async until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    if (check()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`receiver: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const wake = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
    req.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // recorded as is: the test that reads it fails on the missing fields
      }
      const script = this.scripts.get(String(body.call_id));
      const applies = script && (!script.event || script.event === body.event);
      const how: Behaviour = (applies && script.queue.shift()) || "ok";
      const d: Delivery = { at: Date.now(), headers: req.headers, raw, body, answered: "" };
      const finish = (answered: string) => {
        d.answered = answered;
        this.got.push(d);
        for (const w of [...this.waiters]) w();
      };
      if (how === "drop") {
        req.socket.destroy();
        return finish("dropped");
      }
      if (typeof how === "object" && "delayMs" in how) {
        finish(`late ${how.delayMs} ms`);
        setTimeout(() => res.writeHead(200).end(), how.delayMs).unref();
        return;
      }
      const status = how === "ok" ? 200 : how.status;
      res.writeHead(status, { "content-type": "text/plain" }).end("ok");
      finish(String(status));
    });
  }
}

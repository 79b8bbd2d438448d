// A receiver of Ringback's server callbacks: verifies before it parses, dedupes on the signed
// nonce (the event id), prints events, and survives junk.
// Usage: RINGBACK_WEBHOOK_SECRET=dev-secret node examples/webhook-receiver.mjs   (port 8000,
// or PORT), with `RINGBACK_WEBHOOK_URL=http://127.0.0.1:8000/ RINGBACK_WEBHOOK_SECRET=dev-secret npm start`.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const secret = process.env.RINGBACK_WEBHOOK_SECRET;
const MAX_BYTES = 64 * 1024; // a callback is a few hundred bytes; anything far larger is not one
const same = (a, b) =>
  typeof a === "string" && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const seen = new Set(); // in production: a unique key in your database

/** The header's time and whether one of its `v1=` (one per secret while rotating) is ours. */
function headerOk(header, raw) {
  const parts = String(header ?? "").split(",");
  const t = /^t=(\d{1,12})$/.exec(parts[0] ?? "")?.[1];
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) >= 300) return false; // stale: a replay
  const want = createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex");
  return parts.slice(1).some((p) => same(p.slice(3), want) && p.startsWith("v1="));
}

function handle(raw) {
  const e = JSON.parse(raw); // only once the header's HMAC over the raw body verified
  const parts = [secret, String(e.timestamp), String(e.nonce)].sort().join("");
  if (!same(e.signature, createHash("sha1").update(parts).digest("hex"))) return 401;
  // Dedupe on the nonce: it is signed (a header is not) and is the event id, the same on
  // every retry of one event.
  if (!seen.has(e.nonce)) {
    seen.add(e.nonce);
    console.log(e.event, e.call_id, JSON.stringify(e)); // bill, record the missed call, …
  }
  return 200;
}

http
  .createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BYTES) {
        res.writeHead(413, { connection: "close" }).end();
        req.destroy();
      } else chunks.push(c);
    });
    req.on("error", () => undefined); // a client that hangs up mid-body
    req.on("end", () => {
      if (res.writableEnded) return;
      try {
        const raw = Buffer.concat(chunks).toString("utf8");
        if (!headerOk(req.headers["ringback-signature"], raw)) return res.writeHead(401).end();
        res.writeHead(handle(raw)).end();
      } catch {
        res.writeHead(400).end(); // signed but not a callback: nothing to retry
      }
    });
  })
  .listen(Number(process.env.PORT ?? 8000), "127.0.0.1", () => console.log("listening"));

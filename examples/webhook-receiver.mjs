// A receiver of Ringback's server callbacks: checks both signatures, dedupes, prints events.
// Usage: RINGBACK_WEBHOOK_SECRET=dev-secret node examples/webhook-receiver.mjs   (port 8000,
// or PORT), with `RINGBACK_WEBHOOK_URL=http://127.0.0.1:8000/ RINGBACK_WEBHOOK_SECRET=dev-secret npm start`.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const secret = process.env.RINGBACK_WEBHOOK_SECRET;
const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const seen = new Set(); // in production: a unique key in your database

http
  .createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const sig = req.headers["ringback-signature"] ?? "";
      const [, t = "", v1 = ""] = /^t=(\d+),v1=(\w+)$/.exec(sig) ?? [];
      const e = JSON.parse(raw);
      const hmac = createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex");
      const parts = [secret, String(e.timestamp), e.nonce].sort().join("");
      const sha1 = createHash("sha1").update(parts).digest("hex");
      const fresh = Math.abs(Date.now() / 1000 - Number(t)) < 300;
      if (!fresh || !same(hmac, v1) || !same(sha1, e.signature)) return res.writeHead(401).end();
      const id = req.headers["ringback-event-id"];
      if (!seen.has(id)) {
        seen.add(id);
        console.log(e.event, e.call_id, JSON.stringify(e)); // bill, record the missed call, …
      }
      res.writeHead(200).end();
    });
  })
  .listen(Number(process.env.PORT ?? 8000), "127.0.0.1", () => console.log("listening"));

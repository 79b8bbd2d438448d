// An app backend's policy hook for Ringback (docs/policy.md): verifies the signature before it
// parses, then answers {deny: [...]}: who is not to be rung. Here: callees who muted the caller.
// Usage: RINGBACK_WEBHOOK_SECRET=dev-secret node examples/policy-hook.mjs   (port 8001, or PORT)
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const secret = process.env.RINGBACK_WEBHOOK_SECRET;
const muted = new Map([["bob", new Set(["mallory"])]]); // in production: your database
const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function signed(header, raw) {
  const [first = "", ...v1s] = String(header ?? "").split(",");
  const t = /^t=(\d{1,12})$/.exec(first)?.[1];
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) >= 300) return false; // stale: a replay
  const want = `v1=${createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex")}`;
  return v1s.some((v) => same(v, want));
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => (chunks.push(c), chunks.length > 64 && req.destroy())); // ≤ ~4 MB
    req.on("error", () => undefined);
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      if (!signed(req.headers["ringback-signature"], raw)) return res.writeHead(401).end();
      try {
        const { caller_id, callee_ids } = JSON.parse(raw);
        const deny = callee_ids.filter((id) => muted.get(id)?.has(caller_id));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ deny }));
      } catch {
        res.writeHead(400).end(); // signed but not a policy request
      }
    });
  })
  .listen(Number(process.env.PORT ?? 8001), "127.0.0.1", () => console.log("listening"));

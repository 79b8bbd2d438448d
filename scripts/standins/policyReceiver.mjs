// The local policy hook: stands in for an app backend's RINGBACK_POLICY_URL in the emulator
// stack (docs/policy.md). It verifies each request's Ringback-Signature with the stack's
// RINGBACK_WEBHOOK_SECRET (401 when it fails) at `POST /policy` and answers as it is set
// through the stack's control API (control.mjs):
//  - `PUT /policy {"mode": "allow" | "deny" | "slow", "deny"?: [uid…], "delay_ms"?: n}`:
//    allow: {deny: []}; deny: {deny: the listed uids, or every callee when none is listed};
//    slow: answers allow after delay_ms (default 3000), past the functions' 1.5 s budget;
//    "secret"?: verify with this secret instead of the stack's (a test that sets its own).
//  - `GET /policy/requests`: what it got (headers, body, whether it verified), oldest first;
//    `DELETE /policy/requests` forgets them.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

/** Whether the `Ringback-Signature` header signs `raw` with `secret` within 300 s. */
export function verifySignature(secret, header, raw, nowS = Date.now() / 1000) {
  const [first = "", ...v1s] = String(header ?? "").split(",");
  const t = /^t=(\d{1,12})$/.exec(first)?.[1];
  if (!secret || !t || Math.abs(nowS - Number(t)) >= 300) return false;
  const want = Buffer.from(
    `v1=${createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex")}`,
  );
  return v1s.some((v) => v.length === want.length && timingSafeEqual(Buffer.from(v), want));
}

/**
 * @returns {Promise<{ close: () => Promise<void>, url: string,
 *   routes: Record<string, import("./control.mjs").Route> }>}
 */
export function startPolicyReceiver({ host, port, secret, log = () => undefined }) {
  let setting = { mode: "allow", deny: [], delay_ms: 3000, secret };
  const got = [];
  const routes = {
    "PUT /policy": ({ body }) => {
      setting = { mode: "allow", deny: [], delay_ms: 3000, secret, ...body };
      return [200, { ...setting, secret: undefined }];
    },
    "GET /policy/requests": () => [200, got],
    "DELETE /policy/requests": () => {
      got.length = 0;
      return [200, got];
    },
  };
  const json = (res, status, body) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on("error", () => undefined);
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      try {
        if (req.url !== "/policy" || req.method !== "POST") return json(res, 404, {});
        const verified = verifySignature(setting.secret, req.headers["ringback-signature"], raw);
        got.push({ headers: req.headers, body: raw, verified, at: Date.now() });
        if (!verified) return json(res, 401, { error: "bad signature" });
        const body = JSON.parse(raw);
        const { mode, deny, delay_ms } = setting;
        log(`[policy] ${body.caller_id} → ${body.callee_ids.join(", ")}: ${mode}`);
        if (mode === "deny") return json(res, 200, { deny: deny.length ? deny : body.callee_ids });
        if (mode === "slow") return void setTimeout(() => json(res, 200, { deny: [] }), delay_ms);
        return json(res, 200, { deny: [] });
      } catch {
        return json(res, 400, { error: "not JSON" });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () =>
      resolve({
        url: `http://${host}:${port}/policy`,
        routes,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    );
  });
}

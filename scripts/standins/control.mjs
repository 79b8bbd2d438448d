// The stand-ins' one control API, on its own port (RINGBACK_CONTROL, 127.0.0.1:9493 moved by
// the port offset): what tests, examples and a developer use to see and steer the local
// stand-ins, apart from the endpoints the functions themselves call (the push recorder's
// POST /push, the policy hook's POST /policy, the Cloud Tasks API), which stay where a real
// service would be. Each stand-in hands over its routes; `GET /` lists them all:
//   GET    /pushes?call_id=&uid=&device_id=&type=&channel=   what the push recorder got
//   DELETE /pushes                                           forget them
//   PUT    /policy {"mode", "deny"?, "delay_ms"?, "secret"?}  how the policy hook answers
//   GET    /policy/requests, DELETE /policy/requests         what it was asked
//   POST   /tasks/refuse {"queue", "count"}                  refuse the next enqueues (500)
//   POST   /tasks/unavailable {"prefix", "count"}            fail enqueues by id prefix (503)
//   DELETE /tasks/unavailable                                stop failing them
//   GET    /tasks/busy                                       dispatches in flight, retries due
//   GET    /tasks/dispatched?prefix=                         the queue each task ran on
//   DELETE /tasks/pending                                    drop every task not dispatched
import http from "node:http";

/**
 * A route: `(request) => [status, body]`, where the request has the parsed `url` and the
 * `body` (parsed JSON, or undefined when there is none).
 * @typedef {(req: { url: URL, body: unknown }) => [number, unknown] | Promise<[number, unknown]>} Route
 */

/**
 * @param {{ host: string, port: number, routes: Record<string, Route> }} o  routes keyed
 *   "METHOD /path"
 * @returns {Promise<{ close: () => Promise<void> }>}
 */
export function startControl({ host, port, routes }) {
  const list = Object.keys(routes).sort();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("error", () => undefined);
    req.on("end", async () => {
      const reply = (status, body) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const url = new URL(req.url ?? "/", "http://control");
      if (req.method === "GET" && url.pathname === "/") return reply(200, { routes: list });
      const route = routes[`${req.method} ${url.pathname}`];
      if (!route)
        return reply(404, { error: `no route ${req.method} ${url.pathname}`, routes: list });
      const raw = Buffer.concat(chunks).toString("utf8");
      let body;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return reply(400, { error: "the body is not JSON" });
      }
      try {
        const [status, answer] = await route({ url, body });
        reply(status, answer);
      } catch (e) {
        reply(400, { error: String(e?.message ?? e) });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () =>
      resolve({ close: () => new Promise((r) => server.close(() => r())) }),
    );
  });
}

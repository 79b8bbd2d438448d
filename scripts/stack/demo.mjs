// The web demo on the local stack: seeds the demo users into the Auth emulator, bundles
// demo/ (and @ringback/client, firebase) with esbuild, and serves it over HTTP.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { build } from "esbuild";

/** Demo users: fixed uids, so that the demo's contact list can ring them by id. */
export const DEMO_USERS = [
  { id: "alice", name: "Alice", email: "alice@ringback.demo" },
  { id: "bob", name: "Bob", email: "bob@ringback.demo" },
  { id: "carol", name: "Carol", email: "carol@ringback.demo" },
];
export const DEMO_PASSWORD = "ringback-demo";

/** Creates the demo users in the Auth emulator (a user that already exists is kept). */
async function seedUsers({ auth, project }) {
  const url = `http://${auth}/identitytoolkit.googleapis.com/v1/projects/${project}/accounts`;
  for (const u of DEMO_USERS) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer owner" },
      body: JSON.stringify({
        localId: u.id,
        email: u.email,
        password: DEMO_PASSWORD,
        displayName: u.name,
      }),
    });
    const text = await res.text();
    if (!res.ok && !/DUPLICATE_LOCAL_ID|EMAIL_EXISTS/.test(text)) {
      throw new Error(`seeding demo user ${u.id}: HTTP ${res.status} ${text}`);
    }
  }
}

async function bundle(root) {
  const out = await build({
    entryPoints: [path.join(root, "demo", "src", "main.ts")],
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: "inline",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].contents;
}

/**
 * `/fn/<path>` → the functions emulator's `/<project>/us-central1/<path>`, headers and body
 * as they came: what a Firebase Hosting rewrite to the functions does in production.
 */
function forward(req, res, functionsHost, project) {
  const [host, port] = functionsHost.split(":");
  const upstream = http.request(
    {
      host,
      port: Number(port),
      method: req.method,
      path: `/${project}/us-central1/${req.url.slice("/fn/".length)}`,
      headers: { ...req.headers, host: functionsHost },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(`demo: the functions did not answer: ${err.message}`);
  });
  req.pipe(upstream);
}

/**
 * Starts the demo: `{ url, close }`. `hosts`: the emulators' host:port. Port 0 picks one.
 */
export async function startDemo({ root, project, hosts, port }) {
  await seedUsers({ auth: hosts.auth, project });
  const app = await bundle(root);
  const hp = (h) => ({ host: h.split(":")[0], port: Number(h.split(":")[1]) });
  const config = JSON.stringify({
    projectId: project,
    authUrl: `http://${hosts.auth}`,
    firestore: hp(hosts.firestore),
    functions: hp(hosts.functions),
    users: DEMO_USERS,
    password: DEMO_PASSWORD,
    // The functions on the page's own origin (forward below): the demo's pagehide requests
    // carry an Authorization header, which cross-origin would need CORS.
    fnBase: "/fn",
  });
  const files = {
    "/": ["text/html", () => fs.readFileSync(path.join(root, "demo", "index.html"))],
    "/styles.css": ["text/css", () => fs.readFileSync(path.join(root, "demo", "styles.css"))],
    "/app.js": ["text/javascript", () => app],
    "/config.json": ["application/json", () => config],
  };
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith("/fn/")) return forward(req, res, hosts.functions, project);
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    if (!file) return res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": file[0], "cache-control": "no-store" });
    res.end(file[1]());
  });
  await new Promise((resolve, reject) => {
    server.once("error", (err) =>
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`demo: port ${port} is in use (set RINGBACK_DEMO_PORT to another one)`)
          : err,
      ),
    );
    server.listen(port, "127.0.0.1", resolve);
  });
  server.unref(); // the stack's own shutdown decides when to exit
  const url = `http://127.0.0.1:${server.address().port}/`;
  const signIn = `sign in as ${DEMO_USERS.map((u) => u.id).join(", ")}; password ${DEMO_PASSWORD}`;
  return { url, signIn, close: () => new Promise((r) => server.close(() => r())) };
}

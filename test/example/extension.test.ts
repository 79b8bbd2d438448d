/**
 * examples/app: an app that installs Ringback as a local extension (its firebase.json names
 * "extensions": { "ringback": "../.." }), run by the firebase-tools extensions emulator beside
 * the stack's Firestore and Auth. examples/ring.mjs then rings through the instance's
 * functions (ext-ringback-startCall, …).
 *
 * The extensions emulator loads the callables and the scheduled sweep, but not the two
 * task-queue functions: it turns only https, event and schedule triggers of extension.yaml
 * into emulated functions, and answers a taskQueueTrigger with "Unsupported function type".
 * So the deadlines (no answer, heartbeat timeout) cannot run there; the codebase path, which
 * every other emulator test uses, covers them. The last assertion pins that limit: when
 * firebase-tools lifts it, this test fails and the docs (docs/deploy.md) should change.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { env } from "../support/env.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const APP = path.join(ROOT, "examples/app");
const DIR = path.join(ROOT, ".runtime/example-app");
const LOG = path.join(ROOT, ".runtime/example-app.log");
const offset = Number(process.env.RINGBACK_PORT_OFFSET ?? 0);
// The gcloud CLI's Pub/Sub emulator, when installed, saves firebase-tools a download.
const GCLOUD_PUBSUB =
  "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator";

let firebase: ChildProcess | undefined;
let functionsOrigin = "";

/**
 * The example's firebase.json, with every port moved by RINGBACK_PORT_OFFSET and the
 * extension's path made absolute, minus Firestore and Auth: the stack's serve it.
 */
function exampleConfig(): string {
  const config = JSON.parse(fs.readFileSync(path.join(APP, "firebase.json"), "utf8"));
  config.extensions.ringback = path.resolve(APP, config.extensions.ringback);
  delete config.firestore;
  delete config.emulators.firestore;
  delete config.emulators.auth;
  for (const e of Object.values(config.emulators)) {
    if (typeof e === "object" && e && "port" in e) (e as { port: number }).port += offset;
  }
  functionsOrigin = `http://${config.emulators.functions.host}:${config.emulators.functions.port}`;
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.cpSync(path.join(APP, "extensions"), path.join(DIR, "extensions"), { recursive: true });
  fs.writeFileSync(path.join(DIR, "firebase.json"), JSON.stringify(config, null, 2));
  return path.join(DIR, "firebase.json");
}

const log = () => (fs.existsSync(LOG) ? fs.readFileSync(LOG, "utf8") : "");

/** firebase-tools' own "ready" line (a request before it would start a worker per poll). */
const ready = () => log().includes("All emulators ready");

beforeAll(async () => {
  const config = exampleConfig();
  fs.writeFileSync(LOG, `config: ${config}\n`);
  const out = fs.openSync(LOG, "a");
  const pubsub = fs.existsSync(GCLOUD_PUBSUB) ? { PUBSUB_EMULATOR_BINARY_PATH: GCLOUD_PUBSUB } : {};
  firebase = spawn(
    path.join(ROOT, "node_modules/.bin/firebase"),
    ["emulators:start", "--only", "extensions,tasks,pubsub", "--project", env.projectId],
    {
      cwd: DIR,
      env: { ...process.env, ...pubsub, CI: "true" },
      stdio: ["ignore", out, out],
      detached: true, // its own process group, so that afterAll stops its emulators too
    },
  );
  fs.closeSync(out);
  const until = Date.now() + 90_000;
  while (!ready()) {
    if (firebase.exitCode !== null || Date.now() > until) {
      throw new Error(
        `The example app's emulators did not start (functions at ${functionsOrigin}; ` +
          `firebase-tools ${firebase.exitCode !== null ? `exited ${firebase.exitCode}` : "still starting after 90 s"}). ` +
          `Last lines of ${LOG}:\n${log().split("\n").slice(-30).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}, 120_000);

afterAll(async () => {
  if (!firebase?.pid || firebase.exitCode !== null) return;
  const exited = new Promise((r) => firebase?.once("exit", r));
  process.kill(-firebase.pid, "SIGINT");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (firebase.exitCode === null) process.kill(-firebase.pid, "SIGKILL");
}, 30_000);

it("examples/ring.mjs rings Bob through the extension instance's functions", async () => {
  const { stdout } = await promisify(execFile)("node", ["examples/ring.mjs"], {
    cwd: ROOT,
    timeout: 60_000,
    env: {
      ...process.env,
      FUNCTIONS_EMULATOR_ORIGIN: functionsOrigin,
      RINGBACK_FUNCTIONS_PREFIX: "ext-ringback-",
    },
  });
  expect(stdout).toMatch(/bob's phone rings: call \S+ from \S+, answer by \d{4}-\d\d-\d\dT/);
  expect(stdout).toMatch(/bob accepts on his phone: \{[^}]*state: 'ongoing'/);
  expect(stdout).toMatch(/alice hangs up: \{[^}]*end_reason: 'completed'/);
  expect(log()).toContain("ext-ringback-startCall");
});

it("loads every callable and the sweep, but not the task queues (the emulator's limit)", () => {
  const text = log();
  for (const fn of ["startCall", "acceptCall", "endCall", "heartbeat", "listCalls"]) {
    expect(text).toContain(`functions[us-central1-ext-ringback-${fn}]: http function initialized`);
  }
  expect(text).toContain(
    "functions[us-central1-ext-ringback-sweepTimeouts]: pubsub function initialized",
  );
  for (const fn of ["deadlineTask", "webhookTask"]) {
    expect(text).toContain(`Unsupported function type on ext-ringback-${fn}`);
  }
});

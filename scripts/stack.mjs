// Local Ringback stack: the Cloud Firestore emulator (official JAR), the firebase-tools
// emulators (functions, auth, tasks), scheduled delivery of Cloud Tasks, a ticker standing in
// for Cloud Scheduler, and the web demo.
//
//   node scripts/stack.mjs [--build]                 foreground: stay up until Ctrl-C / SIGTERM
//   node scripts/stack.mjs [--build] -- cmd args...  run `cmd` against the stack, exit with its code
//
// `--build` builds the functions, the client and the demo first (`npm start` passes it, so that
// npm's own child is this process: the signals npm forwards reach it). The emulators' output
// goes to .runtime/; the console gets the runner's own lines (lib/console.mjs).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIsCurrent, stampBuild } from "./stack/buildStamp.mjs";
import { banner, firebaseLineHandler, log } from "./stack/console.mjs";
import { startDemo } from "./stack/demo.mjs";
import { chooseFirestoreJar, Emulators, tail } from "./stack/emulators.mjs";
import { firestoreRestarter } from "./stack/firestoreRestart.mjs";
import { checkPolicyEnv, checkWebhookEnv, writeFunctionsEnv } from "./stack/functionsEnv.mjs";
import { functionsManifest } from "./stack/functionsManifest.mjs";
import { freePort, startGate } from "./stack/gate.mjs";
import { lifecycle, signalExitCode } from "./stack/lifecycle.mjs";
import { startControl } from "./standins/control.mjs";
import { startPolicyReceiver } from "./standins/policyReceiver.mjs";
import { startPushRecorder } from "./standins/pushRecorder.mjs";
import { startScheduledTasks } from "./standins/scheduledTasks.mjs";
import { REGION, StackError, stackConfig } from "./stack/stackConfig.mjs";
import { startSweepTicker } from "./standins/sweepTicker.mjs";
import { warmFunctions } from "./stack/warm.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const argv = process.argv.slice(2);
const build = argv[0] === "--build";
const rest = build ? argv.slice(1) : argv;
if (rest.length > 0 && (rest[0] !== "--" || rest.length === 1)) {
  console.error("usage: node scripts/stack.mjs [--build] [-- command [args...]]");
  process.exit(2);
}
const command = rest.slice(1); // empty: foreground mode
const foreground = command.length === 0;

// ---- what runs, and how it all stops -----------------------------------------------------

const children = new Set(); // the build or the command: in our process group, own trees only
const services = []; // in-process: () => void | Promise<void>
let emulators = null;
let tmpDir = null; // firebase-tools' TMPDIR: it leaves worker sockets (fire_emu_*.sock) behind

const shutdown = lifecycle({
  log,
  stopServices: async () => {
    if (emulators) emulators.stopping = true;
    for (const stop of services.splice(0).reverse()) await stop();
  },
  roots: () => [...(emulators?.list ?? []).map((e) => e.child.pid), ...children].filter(Boolean),
  onStopped: (why) => {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
    if (foreground) process.stderr.write(`Ringback stopped (${why}); logs in .runtime/\n`);
  },
});

/** Run a child in our process group; resolves to its exit code (127 if it cannot start). */
function run(file, args, options) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: ROOT, ...options });
    children.add(child.pid);
    child.on("error", (err) => {
      log(`cannot run ${file}: ${err.message}`);
      resolve(127);
    });
    child.on("exit", (code, signal) => {
      children.delete(child.pid);
      resolve(code ?? signalExitCode(signal));
    });
  });
}

/** `npm run build`, quietly (its output is shown only if it fails), unless it is current. */
async function buildAll() {
  const started = Date.now();
  if (buildIsCurrent(ROOT)) {
    log("the functions and the client are built from the current sources");
    return;
  }
  const logFile = path.join(ROOT, ".runtime", "build.log");
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, "w");
  const code = await run("npm", ["run", "--silent", "build"], { stdio: ["ignore", out, out] });
  fs.closeSync(out);
  if (code !== 0) throw new StackError(`build failed (exit ${code}):\n${tail(logFile, 40)}`);
  stampBuild(ROOT);
  log(`built the functions and the client in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function checkPorts(hosts) {
  const busy = [];
  for (const hostPort of Object.values(hosts)) {
    const [host, port] = hostPort.split(":");
    const free = await new Promise((resolve) => {
      const srv = net.createServer().once("error", () => resolve(false));
      srv.listen(Number(port), host, () => srv.close(() => resolve(true)));
    });
    if (!free) busy.push(port);
  }
  if (busy.length > 0) {
    throw new StackError(
      `port ${busy.join(", ")} already in use: another Ringback stack (or Firebase emulator) ` +
        "may be running. Stop it, or find it with `ss -ltnp`.",
    );
  }
}

async function clearFirestore(cfg) {
  const url = `http://${cfg.hosts.firestore}/emulator/v1/projects/${cfg.project}/databases/(default)/documents`;
  const res = await fetch(url, { method: "DELETE" });
  if (!res.ok) throw new StackError(`clearing Firestore: HTTP ${res.status} ${await res.text()}`);
}

/** The rules for collections moved by the params: what `npm run print-config` prints for them. */
function writeRules(cfg) {
  const args = [
    "scripts/ops/print-config.ts",
    "--users",
    cfg.names.users,
    "--calls",
    cfg.names.calls,
  ];
  const r = spawnSync(path.join(cfg.bin, "tsx"), [...args, "--rules-file", cfg.rules], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new StackError(`print-config: ${r.stderr || r.error}`);
  log(`collections ${cfg.names.users} and ${cfg.names.calls}: rules from print-config`);
}

// ---- main --------------------------------------------------------------------------------

async function main() {
  // One deadline, webhook and push queue unless the environment sets more: here each queue's
  // function has worker processes of its own, so four would boot four times the workers on a
  // small machine for nothing (the stand-in has no rate to spread). The tests that route over
  // several set it (deadlineQueues.test.ts, channelQueues.test.ts).
  process.env.RINGBACK_DEADLINE_QUEUES ||= "1";
  process.env.RINGBACK_WEBHOOK_QUEUES ||= "1";
  process.env.RINGBACK_PUSH_QUEUES ||= "1";
  const cfg = stackConfig(ROOT);
  const jar = chooseFirestoreJar(log);
  const webhookProblem = checkWebhookEnv() ?? checkPolicyEnv();
  if (webhookProblem) throw new StackError(webhookProblem);
  await checkPorts(cfg.hosts);
  if (build) await buildAll();
  const manifest = functionsManifest(ROOT); // the built functions: queues, params, secrets
  const passed = writeFunctionsEnv(ROOT, manifest);
  fs.mkdirSync(cfg.runtime, { recursive: true });
  if (cfg.names) writeRules(cfg);
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "ringback-")); // short: socket paths are limited
  log(`starting the emulators for ${cfg.project}...`);
  emulators = new Emulators(cfg, (e) => {
    log(`${e.name} emulator died (${e.how}). ${e.logFile}:\n${tail(e.logFile)}`);
    void shutdown(1, `${e.name} emulator died`);
  });
  const [sHost, sPort] = cfg.hosts.scheduledTasks.split(":");
  const scheduled = await startScheduledTasks({
    host: sHost,
    port: Number(sPort),
    functions: cfg.hosts.functions,
    project: cfg.project,
    region: REGION,
    log,
    retryConfigs: manifest.queues,
  });
  services.push(scheduled.close);
  // Stands in for FCM and APNs: the functions' pushes are printed here and served to tests.
  const [pHost, pPort] = cfg.hosts.pushRecorder.split(":");
  const showPushes = foreground || process.env.RINGBACK_PUSH_LOG === "1";
  const recorder = await startPushRecorder({
    host: pHost,
    port: Number(pPort),
    log: (line) => showPushes && process.stdout.write(`${line}\n`),
  });
  services.push(recorder.close);
  // Stands in for an app backend's policy hook, settable to allow, deny or slow.
  const [qHost, qPort] = cfg.hosts.policyReceiver.split(":");
  const policy = await startPolicyReceiver({
    host: qHost,
    port: Number(qPort),
    secret: process.env.RINGBACK_WEBHOOK_SECRET,
    log: (line) => showPushes && process.stdout.write(`${line}\n`),
  });
  services.push(policy.close);
  // One control API for the three: what the tests and a developer read and steer.
  const [cHost, cPort] = cfg.hosts.control.split(":");
  const control = await startControl({
    host: cHost,
    port: Number(cPort),
    routes: { ...scheduled.routes, ...recorder.routes, ...policy.routes },
  });
  services.push(control.close);
  // With the JAR behind a gate (RINGBACK_FIRESTORE_RESTARTS=1), the JAR gets a port of its own.
  let jarHost = cfg.hosts.firestore;
  let gate = null;
  if (jar && cfg.restartable) {
    const [host, port] = cfg.hosts.firestore.split(":");
    jarHost = `${host}:${await freePort(host)}`;
    gate = await startGate({
      host,
      port: Number(port),
      target: { host, port: Number(jarHost.split(":")[1]) },
    });
    services.push(() => gate.stop());
  }
  // In parallel: firebase-tools does not need Firestore until a function runs.
  const onLine = firebaseLineHandler({ foreground });
  await Promise.all([
    jar && emulators.startFirestore(jar, jarHost),
    emulators.startFirebase({ withFirestore: !jar, tmpDir, onLine }),
  ]);
  const demo = await startDemo({
    root: ROOT,
    project: cfg.project,
    hosts: cfg.hosts,
    port: Number(cfg.hosts.demo.split(":")[1]),
  });
  services.push(demo.close);
  cfg.commandEnv.RINGBACK_DEMO_URL = demo.url; // the browser tests open it
  if (!foreground) await clearFirestore(cfg); // a clean slate for the command
  services.push(startSweepTicker({ url: cfg.sweepUrl, intervalMs: cfg.sweepMs, log }));
  const restart = firestoreRestarter({
    cfg,
    emulators,
    jar,
    jarHost,
    gate,
    log,
    fail: () => void shutdown(1, "Firestore restart failed"),
  });
  process.on("SIGUSR2", () => void restart());
  // RINGBACK_WARM_FUNCTIONS=0 skips it (the signal tests, which only start and stop stacks).
  if (process.env.RINGBACK_WARM_FUNCTIONS !== "0") {
    await warmFunctions({
      functionsHost: cfg.hosts.functions,
      project: cfg.project,
      region: REGION,
      names: manifest.http,
      log,
    });
  }
  const functions = manifest.functions.length;
  const ready = banner({ cfg, jar, jarHost, gate, demo, functions, passed, foreground });
  process.stderr.write(ready);
  if (foreground) return; // signals take it from here
  const [file, ...args] = command;
  const code = await run(file, args, { cwd: process.cwd(), env: cfg.commandEnv, stdio: "inherit" });
  await shutdown(code, `${file} exited`);
}

main().catch((err) => {
  log(`error: ${err instanceof StackError ? err.message : (err.stack ?? err)}`);
  void shutdown(1, "error");
});

// Local Ringback stack: the Cloud Firestore emulator (official JAR), the firebase-tools
// emulators (functions, auth, tasks) and a ticker standing in for Cloud Scheduler.
//
//   node scripts/stack.mjs                 foreground: stay up until Ctrl-C / SIGTERM
//   node scripts/stack.mjs -- cmd args...  run `cmd` against the stack, exit with its code
//
// Emulator output goes to .runtime/firestore.log and .runtime/firebase.log.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { emulatorConfig } from "./lib/emulatorConfig.mjs";
import { checkWebhookEnv, writeFunctionsEnv } from "./lib/functionsEnv.mjs";
import { functionsManifest } from "./lib/functionsManifest.mjs";
import { startDemo } from "./lib/demo.mjs";
import { freePort, startGate } from "./lib/gate.mjs";
import { killTreeSync, stopTree } from "./lib/procs.mjs";
import { startScheduledTasks } from "./lib/scheduledTasks.mjs";
import { startPushRecorder } from "./lib/pushRecorder.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNTIME = path.join(ROOT, ".runtime");
const BIN = path.join(ROOT, "node_modules", ".bin");
const DEFAULT_JAR =
  "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar";
const REGION = "us-central1";
const SWEEP_FUNCTION = "sweepTimeouts";
const ANSI = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex

class StackError extends Error {} // expected failure: print the message only

const log = (msg) => process.stderr.write(`[stack] ${msg}\n`);
const tail = (file, n = 30) =>
  fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n")
    : "(no output)";
const signalExitCode = (signal) => 128 + (os.constants.signals[signal] ?? 0);

// ---- configuration -----------------------------------------------------------------------

const argv = process.argv.slice(2);
if (argv.length > 0 && (argv[0] !== "--" || argv.length === 1)) {
  console.error("usage: node scripts/stack.mjs [-- command [args...]]");
  process.exit(2);
}
const command = argv.slice(1); // empty: foreground mode

const project = process.env.GCLOUD_PROJECT || "demo-ringback";
const config = emulatorConfig(ROOT, RUNTIME); // firebase.json, or a copy (bench, port offset)
const emu = config.emulators;
const portOffset = Number(process.env.RINGBACK_PORT_OFFSET ?? 0);
const addr = (name, port) => `${emu[name]?.host ?? "127.0.0.1"}:${emu[name]?.port ?? port}`;
const hosts = {
  firestore: addr("firestore", 8080),
  auth: addr("auth", 9099),
  functions: addr("functions", 5001),
  tasks: addr("tasks", 9499),
  // Ours: Cloud Tasks' scheduled delivery, which the tasks emulator lacks (see the module).
  scheduledTasks: `127.0.0.1:${Number(process.env.RINGBACK_SCHEDULED_TASKS_PORT ?? 9498 + portOffset)}`,
  // Ours: stands in for FCM and APNs, prints each push (see lib/pushRecorder.mjs).
  pushRecorder: `127.0.0.1:${9495 + portOffset}`,
  hub: addr("hub", 4400),
  logging: addr("logging", 4500),
};
// With the JAR, RINGBACK_FIRESTORE_RESTARTS=1 puts a gate in front of it (see lib/gate.mjs)
// so that SIGUSR2 restarts it losslessly; the JAR then listens on a free port of its own.
const restartable = process.env.RINGBACK_FIRESTORE_RESTARTS === "1";
let jarHost = hosts.firestore; // where the JAR itself listens
let gate = null;
const sweepMs = Number(process.env.RINGBACK_SWEEP_INTERVAL_MS ?? 2000);
// The functions emulator never fires schedules, but it exposes every trigger over HTTP.
const sweepUrl = `http://${hosts.functions}/functions/projects/${project}/triggers/${REGION}-${SWEEP_FUNCTION}-0`;
const baseEnv = { ...process.env, GCLOUD_PROJECT: project, METADATA_SERVER_DETECTION: "none" };
const commandEnv = {
  ...baseEnv,
  PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`, // finds e.g. `vitest`
  FIRESTORE_EMULATOR_HOST: hosts.firestore,
  FIREBASE_AUTH_EMULATOR_HOST: hosts.auth,
  FUNCTIONS_EMULATOR_ORIGIN: `http://${hosts.functions}`,
  CLOUD_TASKS_EMULATOR_HOST: hosts.tasks,
  RINGBACK_SCHEDULED_TASKS: hosts.scheduledTasks,
  RINGBACK_PUSH_RECORDER: hosts.pushRecorder,
  RINGBACK_PROJECT_ID: project,
  RINGBACK_STACK_PID: String(process.pid), // SIGUSR2 restarts Firestore, keeping its data
};

// ---- cleanup: whatever happens, leave no process behind ----------------------------------

const emulators = []; // { name, child, logFile, ready, exited }
let commandChild = null;
let stopSweep = () => {};
let stopScheduledTasks = () => {};
let shuttingDown = false;
let tmpDir = null; // firebase-tools' TMPDIR: it leaves worker sockets (fire_emu_*.sock) behind

async function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  stopSweep();
  stopScheduledTasks();
  await gate?.stop();
  const roots = emulators.map((e) => e.child.pid);
  if (commandChild) roots.push(commandChild.pid); // in our process group: its own tree only
  await Promise.all(roots.map((pid) => stopTree(pid)));
  emulators.length = 0; // all gone: nothing left for the exit hook
  commandChild = null;
  process.exit(code);
}

let signalsSeen = 0;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    // A terminal's Ctrl-C also reaches the command, which may exit (and start the shutdown)
    // first: only a second signal means "stop right now" (SIGKILL, by the exit hook below).
    if (++signalsSeen > 1) process.exit(signalExitCode(signal));
    log(`${signal}: stopping`);
    void shutdown(signalExitCode(signal));
  });
}
// Orphaned (e.g. npm forwards SIGTERM to its `sh -c` only, which dies without passing it on):
// the parent changes. Treat that as a SIGTERM rather than keep the stack running.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid === parentPid || shuttingDown) return;
  log("parent process gone: stopping");
  void shutdown(signalExitCode("SIGTERM"));
}, 1000).unref();
// Last resort for crashes and early exits; after a clean shutdown there is nothing left to kill.
process.on("exit", () => {
  for (const e of emulators) killTreeSync(e.child.pid);
  if (commandChild) killTreeSync(commandChild.pid);
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
});

// ---- steps -------------------------------------------------------------------------------

async function checkPorts() {
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

/** The official JAR if present, else firebase-tools' own Firestore emulator (Java 21+). */
function chooseFirestoreJar() {
  const jar = process.env.RINGBACK_FIRESTORE_JAR || DEFAULT_JAR;
  const fix =
    "Fix: install the Debian package google-cloud-cli-firestore-emulator (it brings a JDK; " +
    "or point RINGBACK_FIRESTORE_JAR at the JAR), or install Java 21+ so that firebase-tools " +
    "can run its own Firestore emulator (downloaded on first use).";
  const res = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (res.error) throw new StackError(`java not found (the Firestore emulator needs it). ${fix}`);
  if (fs.existsSync(jar)) return jar;
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${res.stderr}${res.stdout}`); // "1.8.0" or "17.0.1"
  const java = m ? Number(m[1] === "1" ? m[2] : m[1]) : 0;
  if (java >= 21) {
    log(`no Firestore JAR at ${jar}: using firebase-tools' Firestore emulator (Java ${java})`);
    return null;
  }
  throw new StackError(
    `no Firestore emulator JAR at ${jar}, and Java ${java || "(version unknown)"} is too old ` +
      `for firebase-tools' own Firestore emulator (needs 21+). ${fix}`,
  );
}

/** Spawn an emulator detached (leader of its own process group), registered for cleanup. */
function startEmulator(name, file, args, env, stdio) {
  const logFile = path.join(RUNTIME, `${name}.log`);
  const child = spawn(file, args, { cwd: ROOT, env, detached: true, stdio });
  const entry = { name, child, logFile, ready: false, exited: false };
  emulators.push(entry);
  child.on("error", (err) => {
    entry.exited = true; // could not start (ENOENT...): no "exit" event follows
    fs.appendFileSync(logFile, `cannot run ${file}: ${err.message}\n`);
  });
  child.on("exit", async (code, signal) => {
    entry.exited = true;
    if (shuttingDown || !entry.ready) return; // deaths during startup: see waitReady
    await sleep(300); // let its last output reach the log
    log(`${name} emulator died (${signal ?? `exit code ${code}`}). ${logFile}:\n${tail(logFile)}`);
    void shutdown(1);
  });
  return entry;
}

/** Poll `probe` until it is true; fail with the log's tail if the emulator dies or times out. */
async function waitReady(entry, probe, timeoutMs) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline && !entry.exited;) {
    if (await probe().catch(() => false)) return void (entry.ready = true);
    await sleep(100);
  }
  if (entry.exited) await sleep(300);
  const why = entry.exited ? "exited during startup" : `not ready after ${timeoutMs / 1000} s`;
  throw new StackError(
    `${entry.name} emulator ${why}. Last lines of ${entry.logFile}:\n${tail(entry.logFile)}`,
  );
}

function startFirestore(jar, seed) {
  const [host, port] = jarHost.split(":");
  const args = ["-Duser.language=en", "-cp", jar];
  args.push("com.google.cloud.datastore.emulator.firestore.CloudFirestore");
  args.push(`--host=${host}`, `--port=${port}`, `--project_id=${project}`);
  args.push(`--rules=${path.join(ROOT, "firestore.rules")}`);
  if (seed) args.push(`--seed_from_export=${seed}`);
  const out = fs.openSync(path.join(RUNTIME, "firestore.log"), seed ? "a" : "w");
  const entry = startEmulator("firestore", "java", args, baseEnv, ["ignore", out, out]);
  fs.closeSync(out);
  return waitReady(
    entry,
    async () => {
      const res = await fetch(`http://${jarHost}/`, { signal: AbortSignal.timeout(1000) });
      return (await res.text()).trim() === "Ok";
    },
    60_000,
  );
}

function startFirebase(withFirestore) {
  const only = `${withFirestore ? "firestore," : ""}functions,auth,tasks`;
  // RINGBACK_SCHEDULED_TASKS: where the functions enqueue deadline tasks in the emulator.
  const env = { ...baseEnv, TMPDIR: tmpDir, RINGBACK_SCHEDULED_TASKS: hosts.scheduledTasks };
  env.RINGBACK_PUSH_RECORDER = hosts.pushRecorder; // pushes go to the recorder, not FCM/APNs
  // With the JAR, firebase-tools hands this on to the functions it runs.
  if (!withFirestore) env.FIRESTORE_EMULATOR_HOST = hosts.firestore;
  const args = ["emulators:start", "--only", only, "--project", project];
  args.push(...config.args);
  const stdio = ["ignore", "pipe", "pipe"];
  const entry = startEmulator("firebase", path.join(BIN, "firebase"), args, env, stdio);
  const out = fs.openSync(entry.logFile, "w");
  const banner = /[│┌└├┐┘─]|^\s*$|Emulator Hub host|Other reserved ports|Issues\? Report them/;
  const tick = new RegExp(`(Beginning execution of|Finished) "${REGION}-${SWEEP_FUNCTION}"`);
  let ready = false;
  for (const stream of [entry.child.stdout, entry.child.stderr]) {
    readline.createInterface({ input: stream }).on("line", (raw) => {
      const line = raw.replace(ANSI, "");
      fs.writeSync(out, `${line}\n`); // synchronous, so the log is complete when we tail it
      if (line.includes("All emulators ready")) ready = true;
      if (command.length === 0) {
        // Foreground: echo function logs, minus the ready banner and the sweep ticks.
        if (!banner.test(line) && !tick.test(line)) process.stdout.write(`${raw}\n`);
      } else if (!ready && /functions.*(error|failed)/i.test(line)) {
        // A broken functions build does not stop the emulators: make it visible.
        log(`firebase: ${line.trim()} (see .runtime/firebase.log)`);
      }
    });
  }
  return waitReady(entry, async () => ready, 120_000);
}

/** POST the sweep trigger every `sweepMs`; each tick is scheduled when the last one ends. */
function startSweeper() {
  if (sweepMs === 0) return () => {};
  const seen = new Set();
  let stopped = false;
  let timer;
  const tick = async () => {
    try {
      const res = await fetch(sweepUrl, { method: "POST", signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      const msg = err.cause?.code ?? err.message;
      if (!stopped && !seen.has(msg)) log(`sweep tick failed: ${msg} (shown once) ${sweepUrl}`);
      seen.add(msg);
    }
    if (!stopped) timer = setTimeout(tick, sweepMs);
  };
  timer = setTimeout(tick, sweepMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

async function clearFirestore() {
  const url = `http://${hosts.firestore}/emulator/v1/projects/${project}/databases/(default)/documents`;
  const res = await fetch(url, { method: "DELETE" });
  if (!res.ok) throw new StackError(`clearing Firestore: HTTP ${res.status} ${await res.text()}`);
}

/**
 * Restarts the Firestore emulator keeping the stack project's data (SIGUSR2, for the fault
 * tests): close the gate (every connection cut, new ones held), let in-flight work settle,
 * export, stop the JAR, start it again seeded from the export, open the gate. No write that a
 * client saw succeed is lost. Writes the count of restarts to .runtime/firestore-restarts.
 */
let restarts = 0;
let restarting = false;
async function restartFirestore(jar) {
  if (restarting || shuttingDown) return;
  if (!jar || !gate) {
    log("SIGUSR2 ignored: restarting Firestore needs the JAR and RINGBACK_FIRESTORE_RESTARTS=1");
    return;
  }
  restarting = true;
  try {
    gate.close();
    await sleep(500); // RPCs the JAR had already received finish (or fail) now
    const dir = path.join(RUNTIME, "firestore-export");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const res = await fetch(`http://${jarHost}/emulator/v1/projects/${project}:export`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        database: `projects/${project}/databases/(default)`,
        export_directory: dir,
      }),
    });
    if (!res.ok) throw new Error(`export: HTTP ${res.status} ${await res.text()}`);
    const meta = fs
      .readdirSync(dir, { recursive: true })
      .map(String)
      .find((f) => f.endsWith(".overall_export_metadata"));
    if (!meta) throw new Error(`export: no metadata in ${dir}`);
    const old = emulators.find((e) => e.name === "firestore");
    if (old) {
      old.ready = false; // its exit is expected now
      await stopTree(old.child.pid);
      emulators.splice(emulators.indexOf(old), 1);
    }
    log("Firestore emulator stopped; starting it again with its data");
    await startFirestore(jar, path.join(dir, meta));
    gate.open();
    restarts += 1;
    fs.writeFileSync(path.join(RUNTIME, "firestore-restarts"), String(restarts));
    log(`Firestore emulator restarted (${restarts})`);
  } catch (err) {
    log(`Firestore restart failed: ${err.message}`);
    void shutdown(1);
  } finally {
    restarting = false;
  }
}

/** Run the command; resolves to its exit code (127 if it cannot be started). */
function runCommand() {
  const [file, ...args] = command;
  return new Promise((resolve) => {
    commandChild = spawn(file, args, { env: commandEnv, stdio: "inherit", shell: false });
    commandChild.on("error", (err) => {
      log(`cannot run ${file}: ${err.message}`);
      resolve(127);
    });
    commandChild.on("exit", (code, signal) => {
      commandChild = null;
      resolve(code ?? signalExitCode(signal));
    });
  });
}

// ---- main --------------------------------------------------------------------------------

async function main() {
  if (!project.startsWith("demo-")) {
    throw new StackError(
      `GCLOUD_PROJECT=${project}: only demo-* projects are allowed (they can never reach ` +
        "real Firebase resources). Unset it, or use e.g. demo-ringback.",
    );
  }
  if (!(sweepMs >= 0)) throw new StackError("RINGBACK_SWEEP_INTERVAL_MS: a number >= 0, please");
  const jar = chooseFirestoreJar();
  const webhookProblem = checkWebhookEnv();
  if (webhookProblem) throw new StackError(webhookProblem);
  await checkPorts();
  const manifest = functionsManifest(ROOT); // the built functions: queues, params, secrets
  const passed = writeFunctionsEnv(ROOT, manifest);
  fs.mkdirSync(RUNTIME, { recursive: true });
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "ringback-")); // short: socket paths are limited
  log(`starting the emulators for ${project}...`);
  const [sHost, sPort] = hosts.scheduledTasks.split(":");
  const scheduled = await startScheduledTasks({
    host: sHost,
    port: Number(sPort),
    functions: hosts.functions,
    project,
    region: REGION,
    log,
    retryConfigs: manifest.queues,
  });
  stopScheduledTasks = scheduled.close;
  const [pHost, pPort] = hosts.pushRecorder.split(":");
  const showPushes = command.length === 0 || process.env.RINGBACK_PUSH_LOG === "1";
  const pushLog = (line) => showPushes && process.stdout.write(`${line}\n`);
  await startPushRecorder({ host: pHost, port: Number(pPort), log: pushLog });
  // In parallel: firebase-tools does not need Firestore until a function runs.
  if (jar && restartable) {
    const [host, port] = hosts.firestore.split(":");
    jarHost = `${host}:${await freePort(host)}`;
    gate = await startGate({
      host,
      port: Number(port),
      target: { host, port: Number(jarHost.split(":")[1]) },
    });
  }
  await Promise.all([jar && startFirestore(jar), startFirebase(!jar)]);
  const demoPort = Number(process.env.RINGBACK_DEMO_PORT ?? 5173 + portOffset);
  const demo = await startDemo({ root: ROOT, project, hosts, port: demoPort });
  commandEnv.RINGBACK_DEMO_URL = demo.url; // the browser tests open it
  if (command.length > 0) await clearFirestore(); // a clean slate for the command
  stopSweep = startSweeper();
  process.on("SIGUSR2", () => void restartFirestore(jar));
  fs.rmSync(path.join(RUNTIME, "firestore-restarts"), { force: true });
  process.stderr.write(
    [
      `Ringback stack ready (project ${project})`,
      `  Firestore  ${hosts.firestore}${jar ? "" : " (firebase-tools)"}${gate ? ` (gate to ${jarHost}: SIGUSR2 restarts it)` : ""}`,
      `  Auth       ${hosts.auth}`,
      `  Functions  http://${hosts.functions}/${project}/${REGION}/<name>`,
      `  Tasks      ${hosts.tasks} (scheduled delivery via ${hosts.scheduledTasks})`,
      `  Sweep      ${sweepMs ? `${SWEEP_FUNCTION} every ${sweepMs} ms` : "off"}`,
      `  Pushes     recorded at http://${hosts.pushRecorder}/pushes (printed here: no FCM/APNs)`,
      `  Webhooks   ${process.env.RINGBACK_WEBHOOK_URL ? `→ ${process.env.RINGBACK_WEBHOOK_URL}` : "off (set RINGBACK_WEBHOOK_URL and RINGBACK_WEBHOOK_SECRET)"}`,
      ...(passed.length ? [`  Params     ${passed.join(", ")} (from the environment)`] : []),
      `  Demo       ${demo.url} (${demo.signIn})`,
      `  Logs       .runtime/${jar ? "firestore.log, .runtime/" : ""}firebase.log`,
      "",
    ].join("\n"),
  );
  if (command.length === 0) return log("press Ctrl-C to stop"); // signals take it from here
  await shutdown(await runCommand());
}

main().catch((err) => {
  log(`error: ${err instanceof StackError ? err.message : (err.stack ?? err)}`);
  void shutdown(1);
});

// The emulator processes of a local stack: the Cloud Firestore emulator (official JAR) and
// firebase-tools (functions, auth, tasks; and Firestore when there is no JAR). Each is spawned
// detached, the leader of its own process group, and kept in a registry for the shutdown;
// their output goes to .runtime/<name>.log, never to the console.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { StackError } from "./stackConfig.mjs";

const DEFAULT_JAR =
  "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar";
const ANSI = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex

/** The last `n` lines of a log file, for an error message. */
export const tail = (file, n = 30) =>
  fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n")
    : "(no output)";

/** The official JAR if present, else null: firebase-tools' own Firestore emulator (Java 21+). */
export function chooseFirestoreJar(log) {
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

/**
 * The running emulators. `onDeath(entry)` is called when one that was ready dies (unless
 * `stopping` is set); deaths during startup surface through waitReady.
 */
export class Emulators {
  constructor(cfg, onDeath) {
    this.cfg = cfg;
    this.onDeath = onDeath;
    this.list = []; // { name, child, logFile, ready, exited }
    this.stopping = false;
  }

  /** Spawn `file` detached, registered for cleanup. */
  spawn(name, file, args, env, stdio) {
    const logFile = path.join(this.cfg.runtime, `${name}.log`);
    const child = spawn(file, args, { cwd: this.cfg.root, env, detached: true, stdio });
    const entry = { name, child, logFile, ready: false, exited: false };
    this.list.push(entry);
    child.on("error", (err) => {
      entry.exited = true; // could not start (ENOENT...): no "exit" event follows
      fs.appendFileSync(logFile, `cannot run ${file}: ${err.message}\n`);
    });
    child.on("exit", async (code, signal) => {
      entry.exited = true;
      entry.how = signal ?? `exit code ${code}`;
      if (this.stopping || !entry.ready) return;
      await sleep(300); // let its last output reach the log
      this.onDeath(entry);
    });
    return entry;
  }

  /** Poll `probe` until true; fail with the log's tail if the emulator dies or times out. */
  async waitReady(entry, probe, timeoutMs) {
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

  /** The JAR on `hostPort`; `seed`: an export to start from (a restart). */
  startFirestore(jar, hostPort, seed) {
    const { runtime, project, baseEnv, rules } = this.cfg;
    const [host, port] = hostPort.split(":");
    const args = ["-Duser.language=en", "-cp", jar];
    args.push("com.google.cloud.datastore.emulator.firestore.CloudFirestore");
    args.push(`--host=${host}`, `--port=${port}`, `--project_id=${project}`);
    args.push(`--rules=${rules}`);
    if (seed) args.push(`--seed_from_export=${seed}`);
    const out = fs.openSync(path.join(runtime, "firestore.log"), seed ? "a" : "w");
    const entry = this.spawn("firestore", "java", args, baseEnv, ["ignore", out, out]);
    fs.closeSync(out);
    const probe = async () => {
      const res = await fetch(`http://${hostPort}/`, { signal: AbortSignal.timeout(1000) });
      return (await res.text()).trim() === "Ok";
    };
    return this.waitReady(entry, probe, 60_000);
  }

  /**
   * firebase-tools' emulators. Every output line goes to .runtime/firebase.log and to
   * `onLine(line)` (ANSI colours removed).
   */
  startFirebase({ withFirestore, tmpDir, onLine }) {
    const { bin, project, hosts, baseEnv, firebaseArgs } = this.cfg;
    const only = `${withFirestore ? "firestore," : ""}functions,auth,tasks`;
    // RINGBACK_SCHEDULED_TASKS: where the functions enqueue deadline tasks in the emulator.
    const env = { ...baseEnv, TMPDIR: tmpDir, RINGBACK_SCHEDULED_TASKS: hosts.scheduledTasks };
    env.RINGBACK_PUSH_RECORDER = hosts.pushRecorder; // pushes go to the recorder, not FCM/APNs
    // With the JAR, firebase-tools hands this on to the functions it runs.
    if (!withFirestore) env.FIRESTORE_EMULATOR_HOST = hosts.firestore;
    const args = ["emulators:start", "--only", only, "--project", project, ...firebaseArgs];
    const stdio = ["ignore", "pipe", "pipe"];
    const entry = this.spawn("firebase", path.join(bin, "firebase"), args, env, stdio);
    const out = fs.openSync(entry.logFile, "w");
    let ready = false;
    for (const stream of [entry.child.stdout, entry.child.stderr]) {
      readline.createInterface({ input: stream }).on("line", (raw) => {
        const line = raw.replace(ANSI, "");
        fs.writeSync(out, `${line}\n`); // synchronous, so the log is complete when we tail it
        if (line.includes("All emulators ready")) ready = true;
        onLine(line, ready);
      });
    }
    return this.waitReady(entry, async () => ready, 120_000);
  }

  remove(entry) {
    this.list.splice(this.list.indexOf(entry), 1);
  }
}

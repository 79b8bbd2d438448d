// Where everything of a local stack lives: the project, every emulator's host:port (firebase.json,
// moved by RINGBACK_PORT_OFFSET), the sweep trigger's URL and the environment a command gets.
import path from "node:path";
import { emulatorConfig } from "./emulatorConfig.mjs";

export const REGION = process.env.RINGBACK_REGION || "us-central1"; // the functions' RINGBACK_REGION param
export const SWEEP_FUNCTION = "sweepTimeouts";

/** An expected failure: the runner prints its message only, no stack trace. */
export class StackError extends Error {}

export function stackConfig(root, env = process.env) {
  // A stack on moved ports keeps its logs and generated files apart: stacks of one checkout
  // may run side by side (the signal tests start three at once).
  const offsetDir = Number(env.RINGBACK_PORT_OFFSET ?? 0)
    ? `stack-${env.RINGBACK_PORT_OFFSET}`
    : "";
  const runtime = path.join(root, ".runtime", offsetDir);
  const project = env.GCLOUD_PROJECT || "demo-ringback";
  if (!project.startsWith("demo-")) {
    throw new StackError(
      `GCLOUD_PROJECT=${project}: only demo-* projects are allowed (they can never reach ` +
        "real Firebase resources). Unset it, or use e.g. demo-ringback.",
    );
  }
  const sweepMs = Number(env.RINGBACK_SWEEP_INTERVAL_MS ?? 2000);
  if (!(sweepMs >= 0)) throw new StackError("RINGBACK_SWEEP_INTERVAL_MS: a number >= 0, please");
  const config = emulatorConfig(root, runtime); // firebase.json, or a copy (bench, port offset)
  const emu = config.emulators;
  const portOffset = Number(env.RINGBACK_PORT_OFFSET ?? 0);
  const addr = (name, port) => `${emu[name]?.host ?? "127.0.0.1"}:${emu[name]?.port ?? port}`;
  const hosts = {
    firestore: addr("firestore", 8080),
    auth: addr("auth", 9099),
    functions: addr("functions", 5001),
    tasks: addr("tasks", 9499),
    // Ours: Cloud Tasks' scheduled delivery, which the tasks emulator lacks (scheduledTasks.mjs).
    scheduledTasks: `127.0.0.1:${Number(env.RINGBACK_SCHEDULED_TASKS_PORT ?? 9498 + portOffset)}`,
    // Ours: stands in for FCM and APNs, prints each push (pushRecorder.mjs).
    pushRecorder: `127.0.0.1:${9495 + portOffset}`,
    // Ours: a settable policy hook (policyReceiver.mjs); RINGBACK_POLICY_URL may name it.
    policyReceiver: `127.0.0.1:${9494 + portOffset}`,
    // Ours: the stand-ins' one control API (control.mjs): pushes seen, the hook's answers, faults.
    control: `127.0.0.1:${9493 + portOffset}`,
    demo: `127.0.0.1:${Number(env.RINGBACK_DEMO_PORT ?? 5173 + portOffset)}`,
    hub: addr("hub", 4400),
    logging: addr("logging", 4500),
  };
  const bin = path.join(root, "node_modules", ".bin");
  // Collections moved by the params (the functions get them too): the rules the Firestore
  // emulator loads are then the block print-config prints for those names, not firestore.rules.
  const names = {
    users: env.RINGBACK_USERS_COLLECTION || "users",
    calls: env.RINGBACK_CALLS_COLLECTION || "calls",
  };
  const moved = names.users !== "users" || names.calls !== "calls";
  const baseEnv = { ...env, GCLOUD_PROJECT: project, METADATA_SERVER_DETECTION: "none" };
  return {
    root,
    runtime,
    bin,
    project,
    hosts,
    sweepMs,
    names: moved ? names : null,
    rules: moved ? path.join(runtime, "firestore.names.rules") : path.join(root, "firestore.rules"),
    firebaseArgs: config.args,
    // The deploy runtime (firebase.json); the emulator runs the functions on this Node.
    deployRuntime: config.functions?.find((f) => f.codebase === "ringback")?.runtime,
    // With the JAR, RINGBACK_FIRESTORE_RESTARTS=1 puts a gate in front of it (gate.mjs) so that
    // SIGUSR2 restarts it losslessly; the JAR then listens on a free port of its own.
    restartable: env.RINGBACK_FIRESTORE_RESTARTS === "1",
    // The functions emulator never fires schedules, but it exposes every trigger over HTTP.
    sweepUrl: `http://${hosts.functions}/functions/projects/${project}/triggers/${REGION}-${SWEEP_FUNCTION}-0`,
    baseEnv,
    commandEnv: {
      ...baseEnv,
      PATH: `${bin}${path.delimiter}${env.PATH ?? ""}`, // finds e.g. `vitest`
      FIRESTORE_EMULATOR_HOST: hosts.firestore,
      FIREBASE_AUTH_EMULATOR_HOST: hosts.auth,
      FUNCTIONS_EMULATOR_ORIGIN: `http://${hosts.functions}`,
      CLOUD_TASKS_EMULATOR_HOST: hosts.tasks,
      RINGBACK_SCHEDULED_TASKS: hosts.scheduledTasks,
      RINGBACK_PUSH_RECORDER: hosts.pushRecorder,
      RINGBACK_POLICY_RECEIVER: hosts.policyReceiver,
      RINGBACK_CONTROL: hosts.control,
      RINGBACK_PROJECT_ID: project,
      RINGBACK_RUNTIME_DIR: runtime, // its logs (tests read the functions' log lines there)
      RINGBACK_STACK_PID: String(process.pid), // SIGUSR2 restarts Firestore, keeping its data
    },
  };
}

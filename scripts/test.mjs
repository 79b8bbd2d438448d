// `npm test`: every suite, one run after another, cheapest first, each run on a stack of its own:
//   1. unit: no stack (the pure core, the model, scripts' helpers, docs checks).
//   2. main: the emulator suites with the callables in process (vitest's emulators project),
//      and the fullstack suites through the functions emulator, as an app's requests arrive
//      (the SDK, the demo in Chromium, the HTTP door, timing, the example app and kit), on a
//      stack with webhooks off, as a project starts.
//   3. webhooks+names: a stack whose functions post callbacks to the receiver the webhook
//      tests run (RINGBACK_WEBHOOK_URL on 127.0.0.1, a test secret and app id; retries wait a
//      tenth of each backoff, RINGBACK_TASKS_RETRY_SCALE) and keep the users' and calls'
//      collections under other names (RINGBACK_USERS_COLLECTION / RINGBACK_CALLS_COLLECTION,
//      its rules: print-config's): the webhook suites, the stress model (it runs once), and
//      the suites that read and write those collections.
//   4. signals: outside any stack; each test starts and stops stacks of its own (ports moved
//      by 7000, 8000 and 9000).
// Settings a file can make for itself, it makes: the callables run in its process, so the
// policy hook's and the ring limits' suites set their params in the file, on main's stack.
// RINGBACK_TEST_LANES=2 runs two lanes side by side instead: A (unit, main in process) and B
// (fullstack, webhooks+names, signals; ports moved by 2000, project <project>-b), each run's
// output printed whole when it ends (also .runtime/test-<run>.log).
// Each run writes its vitest JSON report; this merges them into .runtime/vitest-results.json,
// prints the time of every run and file, and one line: "tests: N passed, M failed".
// `--only=main` (or another run's name) runs one.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stampBuild } from "./stack/buildStamp.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNTIME = path.join(ROOT, ".runtime");
const offset = Number(process.env.RINGBACK_PORT_OFFSET ?? 0);
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

export const WEBHOOK_TEST_ENV = {
  RINGBACK_WEBHOOK_URL: `http://127.0.0.1:${9497 + offset}/ringback/callbacks`,
  RINGBACK_WEBHOOK_SECRET: "test-webhook-secret",
  RINGBACK_APP_ID: "ringback-test",
};

/** Ringback's two shared collections under other names (its rules: print-config's). */
export const MOVED_NAMES = {
  RINGBACK_USERS_COLLECTION: "app_profiles",
  RINGBACK_CALLS_COLLECTION: "rb_calls",
};

/**
 * The ring limits (5 a minute per pair by default) are off on the stacks, whose stress model
 * and suites ring the same few users over and over (the model has no limits); the ring
 * limits' own suite runs the callables in process and puts the defaults back for itself.
 */
export const NO_RING_LIMITS = {
  RINGBACK_RATE_CALLEE_PER_MINUTE: "0",
  RINGBACK_RATE_PAIR_PER_MINUTE: "0",
};

/**
 * Main's stack times a silent participant out after 30 s, not 60, and keeps an idle stream
 * alive every 3 s, not 15: its suites wait these out for real (each reads the stack's figure:
 * test/support/heartbeat.ts, httpApiStream.test.ts).
 */
export const SHORT_WAITS = {
  RINGBACK_HEARTBEAT_INTERVAL_SECONDS: "10",
  RINGBACK_HEARTBEAT_TIMEOUT_SECONDS: "30",
  RINGBACK_STREAM_KEEPALIVE_SECONDS: "3",
};

const runs = [
  { name: "unit", lane: "A", env: {}, projects: ["unit", "unit-isolated"], bare: true },
  // The stress model runs once: in the webhooks+names run, where it also checks every step's events.
  {
    name: "main",
    lane: "A",
    env: { ...NO_RING_LIMITS, ...SHORT_WAITS, RINGBACK_NO_STRESS_MODEL: "1" },
    projects: ["emulators", "stress"],
  },
  {
    name: "fullstack",
    lane: "B",
    env: { ...NO_RING_LIMITS, ...SHORT_WAITS },
    projects: ["fullstack"],
  },
  // Webhooks on, and the collections moved: the webhook suites and the stress model, then the
  // suites that read and write the users' and calls' collections by name, on the same stack.
  {
    name: "webhooks+names",
    lane: "B",
    env: {
      ...WEBHOOK_TEST_ENV,
      ...NO_RING_LIMITS,
      ...MOVED_NAMES,
      RINGBACK_TASKS_RETRY_SCALE: "webhookTask:0.1",
      // Mostly in process; the few callables it sends through the emulator may start cold.
      RINGBACK_WARM_FUNCTIONS: "0",
    },
    projects: ["webhooks", "emulators", "fullstack"],
    files: [
      "test/webhooks/",
      "test/stress/model.test.ts",
      "test/integration/blocks.test.ts",
      "test/integration/lifecycle.test.ts",
      "test/integration/appData.test.ts",
      "test/integration/listCalls.test.ts",
      "test/integration/sweep.test.ts",
      "test/rules/firestore.rules.test.ts",
      "test/client/calls.test.ts",
    ],
  },
  // Its stacks sit beside the others: RINGBACK_PORT_OFFSET + 7000 (see test/signals).
  {
    name: "signals",
    lane: "B",
    env: { RINGBACK_SIGNALS_PORT_OFFSET: String(offset + 7000) },
    projects: ["signals"],
    bare: true,
  },
].filter((r) => !only || r.name === only);

const sh = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } }).status ??
  1;

const twoLanes = process.env.RINGBACK_TEST_LANES === "2";
/** Each lane's stack: its ports and its project (two stacks of one project id collide). */
const LANES = {
  A: { offset, project: process.env.GCLOUD_PROJECT || "demo-ringback" },
  B: { offset: offset + 2000, project: `${process.env.GCLOUD_PROJECT || "demo-ringback"}-b` },
};

if (sh("npm", ["run", "build"]) !== 0) process.exit(1);
stampBuild(ROOT); // the signal tests' `npm start` stacks then start without building again
fs.mkdirSync(RUNTIME, { recursive: true });
const totals = { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0 };
/** [run, file, seconds] of every test file, for the table printed at the end. */
const fileTimes = [];
const runTimes = [];
let failed = false;
const started = Date.now();

/** One run: its vitest (in a stack unless bare), output to a log printed whole at its end. */
async function runOne(run) {
  const lane = LANES[run.lane];
  const report = path.join(RUNTIME, `vitest-${run.name}.json`);
  const logFile = path.join(RUNTIME, `test-${run.name.replace("+", "-")}.log`);
  fs.rmSync(report, { force: true });
  const vitest = [
    "vitest",
    "run",
    ...run.projects.flatMap((p) => ["--project", p]),
    ...(run.args ?? []),
    ...(run.files ?? []),
  ];
  const env = {
    ...process.env,
    RINGBACK_PORT_OFFSET: String(lane.offset),
    GCLOUD_PROJECT: lane.project,
    ...run.env,
    RINGBACK_VITEST_REPORT: report,
  };
  const [cmd, args] = run.bare
    ? [path.join(ROOT, "node_modules", ".bin", "vitest"), vitest.slice(1)]
    : ["node", ["scripts/stack.mjs", "--", ...vitest]];
  // One lane: the output as it comes. Two: to a file, printed whole when the run ends.
  const live = !twoLanes;
  const out = live ? "inherit" : fs.openSync(logFile, "w");
  const t0 = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  console.log(
    twoLanes
      ? `[tests] ${at()}: lane ${run.lane} starts ${run.name}`
      : `\n==> tests: ${run.name} (${run.projects.join(", ")})`,
  );
  const code = await new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", out, out] });
    child.on("error", () => resolve(1));
    child.on("exit", (c) => resolve(c ?? 1));
  });
  const seconds = (Date.now() - t0) / 1000;
  const where = twoLanes ? `lane ${run.lane}: ` : "";
  console.log(
    `\n==> tests: ${run.name} (${where}${run.projects.join(", ")}), ${seconds.toFixed(1)} s, exit ${code}`,
  );
  if (!live) {
    fs.closeSync(out);
    process.stdout.write(fs.readFileSync(logFile, "utf8"));
  }
  if (code !== 0) failed = true;
  runTimes.push([run.name, seconds]);
  if (!fs.existsSync(report)) {
    console.error(`tests: the ${run.name} run wrote no report (exit ${code})`);
    failed = true;
    return;
  }
  const r = JSON.parse(fs.readFileSync(report, "utf8"));
  for (const k of Object.keys(totals)) totals[k] += r[k] ?? 0;
  for (const f of r.testResults ?? []) {
    fileTimes.push([run.name, path.relative(ROOT, f.name), (f.endTime - f.startTime) / 1000]);
  }
}

/**
 * One lane unless RINGBACK_TEST_LANES=2: on this 2-core machine the suites are CPU-bound, and
 * two lanes took as long as one (each run about twice as slow) while the timing suites lost
 * their margins. In one lane the fullstack suites share main's stack (one boot less).
 */
if (!twoLanes) {
  const main = runs.find((r) => r.name === "main");
  const full = runs.find((r) => r.name === "fullstack");
  if (main && full) {
    main.projects.push(...full.projects);
    runs.splice(runs.indexOf(full), 1);
  }
  for (const r of runs) r.lane = "A";
}
// The kit app's install (npm pack, two `functions:kits:install`, npm and tsc: about a minute,
// little of it CPU) starts now, beside the unit run, instead of in the fullstack suite's hook
// with the whole stack idle; test/example/kit.test.ts waits for its result file.
const kitRun = runs.find((r) => r.projects.includes("fullstack") && !r.files);
if (kitRun) {
  const result = path.join(RUNTIME, "kit-install.json");
  fs.rmSync(result, { force: true });
  const kitLog = fs.openSync(path.join(RUNTIME, "kit-install-ahead.log"), "w");
  const project = LANES[kitRun.lane].project;
  spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["test/support/kitInstall.ts", project, result], {
    cwd: ROOT,
    stdio: ["ignore", kitLog, kitLog],
  }).unref();
  kitRun.env = { ...kitRun.env, RINGBACK_KIT_INSTALL: result };
}
await Promise.all(
  Object.keys(LANES).map(async (lane) => {
    for (const run of runs.filter((r) => r.lane === lane)) await runOne(run);
  }),
);
if (twoLanes)
  console.log(`\n[tests] both lanes done in ${((Date.now() - started) / 1000).toFixed(0)} s`);

// Where the time goes: each run (its stack's boot included), then each file, slowest first.
console.log("\n==> time by run (stack boot included) and by test file, slowest first");
for (const [name, s] of runTimes) console.log(`${s.toFixed(1).padStart(8)} s  run ${name}`);
fileTimes.sort((a, b) => b[2] - a[2]);
for (const [name, file, s] of fileTimes) {
  console.log(`${s.toFixed(1).padStart(8)} s  ${name.padEnd(9)} ${file}`);
}
fs.writeFileSync(path.join(RUNTIME, "vitest-results.json"), JSON.stringify(totals));
console.log(`\ntests: ${totals.numPassedTests} passed, ${totals.numFailedTests} failed`);
process.exit(failed || totals.numTotalTests === 0 ? 1 : 0);

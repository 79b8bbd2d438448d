import fs from "node:fs";
import { defineConfig } from "vitest/config";

/**
 * The functions' structured log lines (one JSON object with a severity), which the in-process
 * suites print in the test process: to .runtime/functions-inprocess.log, not the console.
 */
function functionsLog(line: string): boolean | void {
  if (!line.startsWith('{"') || !line.includes('"severity":')) return;
  fs.mkdirSync(".runtime", { recursive: true });
  fs.appendFileSync(".runtime/functions-inprocess.log", line.endsWith("\n") ? line : `${line}\n`);
  return false;
}

/** The suites that go through the functions emulator; every other emulator suite runs in process. */
const FULL_STACK = [
  "test/client/**/*.test.ts",
  "test/browser/**/*.test.ts",
  "test/example/**/*.test.ts",
  "test/integration/httpApi*.test.ts",
  "test/integration/timing.test.ts",
  "test/integration/example.test.ts",
];
/** Unit files that mock a module: they run isolated (project unit-isolated). */
const UNIT_ISOLATED = ["test/unit/pushSettings.test.ts"];
const IN_PROCESS = { RINGBACK_TEST_IN_PROCESS: "1" };
/**
 * What CI cannot afford, run by `npm run test:full` (RINGBACK_TEST_FULL=1) only: the legacy
 * extension path (until Extensions shut down on 2027-03-31), which boots a second emulator
 * suite with a Pub/Sub emulator for one test; the kit, the install path, runs in CI.
 */
const FULL_ONLY = process.env.RINGBACK_TEST_FULL === "1" ? [] : ["test/example/extension.test.ts"];

/**
 * The projects of one run go one after another (sequence.groupOrder; vitest runs them side
 * by side otherwise): a suite that clears the database (the stress tests) must never overlap
 * another project's files on the same stack, and on 2 cores side by side was no faster.
 */
export default defineConfig({
  test: {
    onConsoleLog: functionsLog,
    // The JSON report feeds the one-line summary that .ci/run prints at the end.
    // (scripts/test.mjs runs two stacks and names a report for each, then merges them.)
    reporters: [
      "default",
      [
        "json",
        { outputFile: process.env.RINGBACK_VITEST_REPORT ?? ".runtime/vitest-results.json" },
      ],
    ],
    projects: [
      {
        test: {
          // Pure code: files share their workers' module graph (isolate: false, a third of
          // the time), each file's env changes undone after it (restoreEnv.ts).
          name: "unit",
          sequence: { groupOrder: 0 },
          include: ["test/unit/**/*.test.ts"],
          exclude: UNIT_ISOLATED,
          isolate: false,
          setupFiles: ["test/support/restoreEnv.ts"],
        },
      },
      {
        // The unit files that mock a module (vi.mock) need modules of their own.
        test: { name: "unit-isolated", sequence: { groupOrder: 0 }, include: UNIT_ISOLATED },
      },
      {
        test: {
          // Ringback's behaviour: each test user's callable requests run in this process
          // (test/support/inProcess.ts) against the stack's emulators, task queues and push
          // recorder, without the functions emulator's HTTP hop and worker processes.
          name: "emulators",
          sequence: { groupOrder: 2 },
          include: ["test/integration/**/*.test.ts", "test/rules/**/*.test.ts"],
          exclude: FULL_STACK,
          env: IN_PROCESS,
          globalSetup: ["test/support/globalSetup.ts"],
          // Two files at a time: each works on users, calls and projects of its own, and much
          // of a file's time is waiting (for a deadline task, a listener, the emulator), so
          // two share the 2 cores well. What needs the stack alone runs in its own project.
          maxWorkers: 2,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // The stress tests clear the whole database between scenarios, and one restarts the
          // Firestore emulator: one file at a time, after every other project of the run.
          name: "stress",
          sequence: { groupOrder: 4 },
          include: ["test/stress/**/*.test.ts"],
          // npm test's main run leaves the stress model to its webhooks+names run (it runs once).
          exclude:
            process.env.RINGBACK_NO_STRESS_MODEL === "1" ? ["test/stress/model.test.ts"] : [],
          env: IN_PROCESS,
          globalSetup: ["test/support/globalSetup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Through the functions emulator, as an app's requests arrive: the SDK and the demo
          // (the callable protocol itself), the HTTP door, deadline timing, the example apps.
          name: "fullstack",
          sequence: { groupOrder: 3 },
          include: FULL_STACK,
          exclude: FULL_ONLY,
          globalSetup: ["test/support/globalSetup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Run by `npm test` against a second stack whose callbacks go to the tests' receiver.
          name: "webhooks",
          sequence: { groupOrder: 1 },
          // The stress model runs here too: with webhooks on, it checks every step's events.
          include: ["test/webhooks/**/*.test.ts", "test/stress/model.test.ts"],
          env: IN_PROCESS,
          globalSetup: ["test/support/globalSetup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Run by `npm test` outside any stack: each case starts (and stops) a stack of its own
          // on ports moved by RINGBACK_SIGNALS_PORT_OFFSET (default 7000).
          name: "signals",
          sequence: { groupOrder: 5 },
          include: ["test/signals/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 360_000,
        },
      },
    ],
  },
});

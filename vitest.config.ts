import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "emulators",
          include: [
            "test/integration/**/*.test.ts",
            "test/rules/**/*.test.ts",
            "test/stress/**/*.test.ts",
            "test/client/**/*.test.ts",
            "test/browser/**/*.test.ts",
            "test/example/**/*.test.ts",
          ],
          globalSetup: ["test/support/globalSetup.ts"],
          // One file at a time: the timing tests measure deadlines to the second, and share
          // the 2 cores with the emulators.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Run by `npm test` against a stack with the ring limits at their defaults (the
          // other stacks turn them off for the stress model): the limits, blocks and
          // lifecycles under them.
          name: "limits",
          include: [
            "test/limits/**/*.test.ts",
            "test/integration/blocks.test.ts",
            "test/integration/lifecycle.test.ts",
          ],
          globalSetup: ["test/support/globalSetup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Run by `npm test` against a stack whose functions ask the stack's own policy hook
          // (RINGBACK_POLICY_URL, failing closed): one file, kept small.
          name: "policy",
          include: ["test/policy/**/*.test.ts"],
          globalSetup: ["test/support/globalSetup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Run by `npm test` against a second stack whose callbacks go to the tests' receiver.
          name: "webhooks",
          // The stress model runs here too: with webhooks on, it checks every step's events.
          include: ["test/webhooks/**/*.test.ts", "test/stress/model.test.ts"],
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
          include: ["test/signals/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 360_000,
        },
      },
    ],
  },
});

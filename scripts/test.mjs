// `npm test`: every suite against the real emulators, in two stacks.
//  1. unit + emulators: webhooks off, as a project starts (the default).
//  2. webhooks: a stack whose functions post callbacks to the receiver the webhook tests run
//     (RINGBACK_WEBHOOK_URL on 127.0.0.1, a test secret and app id).
// Each run writes its vitest JSON report; this merges them into .runtime/vitest-results.json
// and prints one line: "tests: N passed, M failed". `--only=main` or `--only=webhooks` runs one.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNTIME = path.join(ROOT, ".runtime");
const offset = Number(process.env.RINGBACK_PORT_OFFSET ?? 0);
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);

export const WEBHOOK_TEST_ENV = {
  RINGBACK_WEBHOOK_URL: `http://127.0.0.1:${9497 + offset}/ringback/callbacks`,
  RINGBACK_WEBHOOK_SECRET: "test-webhook-secret",
  RINGBACK_APP_ID: "ringback-test",
};

const runs = [
  { name: "main", env: {}, projects: ["unit", "emulators"] },
  { name: "webhooks", env: WEBHOOK_TEST_ENV, projects: ["webhooks"] },
].filter((r) => !only || r.name === only);

const sh = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } }).status ??
  1;

if (sh("npm", ["run", "build"]) !== 0) process.exit(1);
fs.mkdirSync(RUNTIME, { recursive: true });
const totals = { numPassedTests: 0, numFailedTests: 0, numTotalTests: 0 };
let failed = false;
for (const run of runs) {
  const report = path.join(RUNTIME, `vitest-${run.name}.json`);
  fs.rmSync(report, { force: true });
  console.log(`\n==> tests: ${run.name} (${run.projects.join(", ")})`);
  const args = ["scripts/stack.mjs", "--", "vitest", "run"];
  for (const p of run.projects) args.push("--project", p);
  const code = sh("node", args, { ...run.env, RINGBACK_VITEST_REPORT: report });
  if (code !== 0) failed = true;
  if (!fs.existsSync(report)) {
    console.error(`tests: the ${run.name} run wrote no report (exit ${code})`);
    failed = true;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(report, "utf8"));
  for (const k of Object.keys(totals)) totals[k] += r[k] ?? 0;
}
fs.writeFileSync(path.join(RUNTIME, "vitest-results.json"), JSON.stringify(totals));
console.log(`\ntests: ${totals.numPassedTests} passed, ${totals.numFailedTests} failed`);
process.exit(failed || totals.numTotalTests === 0 ? 1 : 0);

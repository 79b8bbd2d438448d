// `npm run bench [-- --quick] [-- --only=a,b] [-- --write]`; `npm run bench -- --scale` runs the
// cost section alone and prints SCALE.md's capacity and cost model from its figures.
// every section against a stack with
// webhooks off (the default), then the webhooks section against a stack whose functions post
// their callbacks to the bench's receiver; the second run adds its section to the first's
// results (bench/results/latest.json, and BENCHMARKS.md with --write).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ALL = [
  "latency",
  "cost",
  "sweep",
  "timing",
  "throughput",
  "inprocess",
  "screening",
  "cold",
  "http",
  "push",
  "webhooks",
];
const offset = Number(process.env.RINGBACK_PORT_OFFSET ?? 0);

const args = process.argv.slice(2);
const onlyArg = args.find((a) => a.startsWith("--only="));
const scale = args.includes("--scale");
const parts = onlyArg ? onlyArg.slice("--only=".length).split(",") : scale ? ["cost"] : ALL;
const rest = args.filter((a) => a !== onlyArg);
const first = parts.filter((p) => p !== "webhooks");

const sh = (cmd, argv, env = {}) =>
  spawnSync(cmd, argv, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } }).status ??
  1;
const bench = (extra, env) =>
  sh("node", ["scripts/stack.mjs", "--", "tsx", "bench/run.ts", ...rest, ...extra], {
    RINGBACK_SWEEP_INTERVAL_MS: "0",
    RINGBACK_BENCH_FUNCTIONS: "1",
    // The bench rings the same few users far more than 5 times a minute.
    RINGBACK_RATE_CALLEE_PER_MINUTE: "0",
    RINGBACK_RATE_PAIR_PER_MINUTE: "0",
    // startCall's answers carry their phases (functions/src/dev/benchTimings.ts, via platform.ts).
    RINGBACK_BENCH_TIMINGS: "1",
    // The functions emulator gives a new worker 30 s to load before it fails the request
    // ("Failed to load function"); on a loaded 2-core machine a worker spawned under load
    // can take longer, and the failed deadline task then waits out the queue's backoff.
    FUNCTIONS_DISCOVERY_TIMEOUT: process.env.FUNCTIONS_DISCOVERY_TIMEOUT ?? "120",
    ...env,
  });

if (sh("npm", ["run", "build"]) !== 0) process.exit(1);
if (first.length > 0 && bench([`--only=${first.join(",")}`], {}) !== 0) process.exit(1);
if (parts.includes("webhooks")) {
  const code = bench(["--only=webhooks", ...(first.length > 0 ? ["--merge"] : [])], {
    RINGBACK_WEBHOOK_URL: `http://127.0.0.1:${9496 + offset}/bench/callbacks`,
    RINGBACK_WEBHOOK_SECRET: "bench-webhook-secret",
    RINGBACK_APP_ID: "ringback-bench",
  });
  if (code !== 0) process.exit(1);
}

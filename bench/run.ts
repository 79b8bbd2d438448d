/**
 * `npm run bench [-- --quick] [-- --only=<sections>] [-- --write] [-- --scale]`
 * (sections: latency, cost, sweep, timing, throughput, inprocess, screening, cold, http, push,
 * webhooks)
 *
 * Runs against the local stack (scripts/stack.mjs starts it, with the sweep ticker off), prints
 * a table per measurement, and writes bench/results/latest.json (and a dated copy).
 * `--write` also puts the results into BENCHMARKS.md between its markers; the full mode is
 * what BENCHMARKS.md reports. `--quick` runs every section once at its smallest size, to keep
 * the benchmark working before a full run (CI does not run it: docs/testing.md).
 */
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closeAll } from "../test/support/clients.js";
import { env } from "../test/support/env.js";
import { coldStart } from "./coldstart.js";
import { cost } from "./cost.js";
import { httpBench, httpSections } from "./http.js";
import { latency } from "./latency.js";
import {
  coldSection,
  costSections,
  latencySections,
  throughputSection,
  timingSections,
} from "./sections.js";
import { textTable, type Section } from "./lib/table.js";
import { mdSections, writeBlock } from "./lib/mdBlock.js";
import type { Summary } from "./lib/stats.js";
import { scaleModel } from "./scale.js";
import { pushLatency, pushSection } from "./pushLatency.js";
import { sweepScaling, sweepSection } from "./sweep.js";
import { inProcessSection, inProcessThroughput } from "./inProcessThroughput.js";
import { throughput } from "./throughput.js";
import { screeningLatency, screeningSection } from "./screening.js";
import { timing } from "./timing.js";
import { webhookBench, webhookSection } from "./webhooks.js";

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
] as const;
type Part = (typeof ALL)[number];

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const write = args.includes("--write");
/** The webhook stack's run: adds its section to the first stack's results (scripts/bench.mjs). */
const merge = args.includes("--merge");
/** With the cost section: the capacity and cost model of SCALE.md from its figures. */
const scale = args.includes("--scale");
const onlyArg = args.find((a) => a.startsWith("--only="));
const only = onlyArg ? (onlyArg.slice("--only=".length).split(",") as Part[]) : [...ALL];
const unknown = args.filter(
  (a) => !["--quick", "--write", "--merge", "--scale"].includes(a) && a !== onlyArg,
);
if (unknown.length || only.some((p) => !ALL.includes(p))) {
  console.error(`usage: npm run bench -- [--quick] [--only=${ALL.join(",")}] [--write] [--scale]`);
  process.exit(2);
}
if (write && quick) {
  console.error("--write records a full run in BENCHMARKS.md; drop --quick");
  process.exit(2);
}

const plan = quick
  ? {
      // Every section once, at the smallest size that still exercises it.
      latency: { iterations: 10, warmup: 2, chunk: 10 },
      sweep: { sizes: [0, 200], runs: 1 },
      throughput: { pairs: 5, seconds: 4, warmupRounds: 1 },
      inProcess: { pairs: [20], seconds: 2 },
      coldRuns: 3,
      timing: { runs: Number(process.env.RINGBACK_BENCH_TIMING_RUNS ?? 2), heartbeat: false },
      webhooks: { calls: 3 },
      http: { pairs: 2 },
      push: { calls: 3 },
    }
  : {
      latency: { iterations: 200, warmup: 10, chunk: 20 },
      sweep: { sizes: [0, 1000, 10000], runs: 5 },
      throughput: { pairs: 50, seconds: 60, warmupRounds: 3 },
      inProcess: { pairs: [50, 200, 500], seconds: 20 },
      coldRuns: 20,
      timing: { runs: 50, heartbeat: true, staggerMs: 500 },
      webhooks: { calls: 100 },
      http: { pairs: 30 },
      push: { calls: 20 },
    };

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

function machine() {
  const cpus = os.cpus();
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: `${cpus[0]?.model ?? "unknown"} × ${cpus.length}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    commit,
    date: new Date().toISOString(),
  };
}

async function main() {
  const started = Date.now();
  // Fail loudly, before any work, when the stack is not there.
  for (const v of [env.projectId, env.firestoreHost, env.authHost, env.functionsOrigin]) {
    if (!v) throw new Error("the emulator stack is not configured");
  }
  const results: Record<string, unknown> = {
    mode: quick ? "quick" : "full",
    machine: machine(),
    plan,
  };
  const sections: Section[] = [];

  if (only.includes("latency")) {
    const r = await latency(plan.latency, progress);
    results.latency = r;
    sections.push(...latencySections(r, plan.latency.warmup));
  }

  if (only.includes("cost")) {
    progress("cost");
    const r = await cost();
    results.cost = r;
    sections.push(...costSections(r));
    if (scale) {
      const model = scaleModel(r);
      results.scale = model.result;
      sections.push(...model.sections);
    }
  }

  if (only.includes("sweep")) {
    const r = await sweepScaling(plan.sweep, progress);
    results.sweep = r;
    sections.push(sweepSection(r, plan.sweep.runs));
  }

  if (only.includes("timing")) {
    const r = await timing(plan.timing, progress);
    results.timing = r;
    sections.push(...timingSections(r));
  }

  if (only.includes("throughput")) {
    const r = await throughput(plan.throughput, progress);
    results.throughput = r;
    sections.push(throughputSection(r));
  }

  if (only.includes("inprocess")) {
    const rows = await inProcessThroughput(plan.inProcess, progress);
    results.inProcess = rows;
    sections.push(inProcessSection(rows, plan.inProcess.seconds));
  }

  if (only.includes("push")) {
    const r = await pushLatency(plan.push.calls, progress);
    results.push = r;
    sections.push(pushSection(r));
  }

  if (only.includes("screening")) {
    sections.push(screeningSection(await screeningLatency(quick ? 5 : 100, progress)));
  }

  if (only.includes("cold")) {
    progress("cold start");
    const r = await coldStart(plan.coldRuns);
    results.cold = r;
    sections.push(coldSection(r));
  }

  // A failed section is reported as such and the run goes on (the other tables still count).
  const http = only.includes("http")
    ? await httpBench(plan.http, progress).catch((e: unknown) => {
        const why = e instanceof Error ? e.message : String(e);
        progress(`http: section failed: ${why}`);
        sections.push({
          title: `8. HTTP door: not measured in this run (${why})`,
          head: [""],
          rows: [],
        });
        return null;
      })
    : null;
  if (http) {
    results.http = http;
    sections.push(...httpSections(http));
  }

  if (only.includes("webhooks")) {
    if (!process.env.RINGBACK_WEBHOOK_URL) {
      throw new Error(
        "the webhooks section needs the webhook stack: run it through `npm run bench`",
      );
    }
    const r = await webhookBench(
      { calls: plan.webhooks.calls, throughput: plan.throughput },
      progress,
    );
    results.webhooks = r;
    const first = merge ? readResults() : undefined;
    const off = first?.throughput as { perSecond: number; lifecycle: Summary } | undefined;
    sections.push(webhookSection(r, off));
  }

  results.elapsedSeconds = Math.round((Date.now() - started) / 1000);
  const m = results.machine as ReturnType<typeof machine>;
  const header = `Ringback bench (${quick ? "quick" : "full"}) on ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, commit ${m.commit}, ${results.elapsedSeconds} s`;
  console.log(`\n${header}`);
  for (const s of sections) {
    console.log(`\n${s.title}\n${textTable(s.head, s.rows)}`);
    for (const n of s.notes ?? []) console.log(n);
  }

  const dir = path.join(ROOT, "bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(
    merge ? { ...readResults(), webhooks: results.webhooks } : results,
    null,
    2,
  );
  fs.writeFileSync(path.join(dir, "latest.json"), json);
  fs.writeFileSync(path.join(dir, `${m.date.replace(/[:.]/g, "-")}-${results.mode}.json`), json);
  progress(`results: bench/results/latest.json`);

  // A partial first-stack run leaves the results block alone: it is one whole run.
  const partial = !merge && ALL.some((p) => p !== "webhooks" && !only.includes(p));
  if (write && partial)
    progress("--write: a partial run leaves BENCHMARKS.md's results as they are");
  if (write && !partial) {
    const md = [`_${header}; ${m.os}._`, ...mdSections(sections)].join("\n\n");
    writeBlock(ROOT, "BENCHMARKS.md", merge ? "webhooks" : "results", md);
    progress("results written into BENCHMARKS.md");
  }
  if (write && scale) {
    const md = [
      `_Generated by \`npm run bench -- --scale --write\` at commit ${m.commit} on ${m.date.slice(0, 10)}. The counts do not depend on the machine; the timings in the assumptions are not measured here._`,
      ...mdSections(sections.filter((s) => /^8(\. Scale|c\.)/.test(s.title))),
    ].join("\n\n");
    writeBlock(ROOT, "SCALE.md", "scale", md);
    progress("the model written into SCALE.md");
  }
}

/** The first stack's results (bench/results/latest.json), which the webhook run adds to. */
function readResults(): Record<string, unknown> | undefined {
  const file = path.join(ROOT, "bench", "results", "latest.json");
  return fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>)
    : undefined;
}

try {
  await main();
  await closeAll();
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}

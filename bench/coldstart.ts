/**
 * 5. Cold start: the time to load the deployed entry point (functions/lib/index.js) in a
 * fresh Node process, against a minimal firebase-functions module with one callable,
 * alternating the two so that both see the same machine. Also the whole process's wall time
 * (start to exit) and its resident memory after loading.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { now, summarize, type Summary } from "./lib/stats.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..");
const LOADER = path.join(HERE, "cold", "load.cjs");

export const MODULES = {
  ringback: path.join(ROOT, "functions", "lib", "index.js"),
  minimal: path.join(HERE, "cold", "minimal.cjs"),
} as const;

export interface ColdPoint {
  load: Summary;
  process: Summary;
  rssMb: number;
  exports: number;
}

export interface ColdResult {
  runs: number;
  ringback: ColdPoint;
  minimal: ColdPoint;
  ratio: { load: number; process: number };
}

function once(
  modulePath: string,
): Promise<{ loadMs: number; wallMs: number; rssMb: number; exports: number }> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    // A production-like environment: no emulator variables, only a project id.
    const child = spawn(process.execPath, [LOADER, modulePath], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        GCLOUD_PROJECT: "demo-ringback",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const wallMs = now() - t0;
      if (code !== 0) return reject(new Error(`loading ${modulePath} failed (${code}): ${err}`));
      const r = JSON.parse(out) as { loadMs: number; rssMb: number; exports: number };
      resolve({ ...r, wallMs });
    });
  });
}

export async function coldStart(runs: number): Promise<ColdResult> {
  const acc = {
    ringback: { load: [] as number[], wall: [] as number[], rss: 0, exports: 0 },
    minimal: { load: [] as number[], wall: [] as number[], rss: 0, exports: 0 },
  };
  // One unmeasured load each first, so the file system cache is warm for both.
  await once(MODULES.ringback);
  await once(MODULES.minimal);
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2
      ? (["minimal", "ringback"] as const)
      : (["ringback", "minimal"] as const)) {
      const r = await once(MODULES[name]);
      acc[name].load.push(r.loadMs);
      acc[name].wall.push(r.wallMs);
      acc[name].rss = r.rssMb;
      acc[name].exports = r.exports;
    }
  }
  const point = (a: (typeof acc)["ringback"]): ColdPoint => ({
    load: summarize(a.load),
    process: summarize(a.wall),
    rssMb: a.rss,
    exports: a.exports,
  });
  const ringback = point(acc.ringback);
  const minimal = point(acc.minimal);
  return {
    runs,
    ringback,
    minimal,
    ratio: {
      load: ringback.load.median / minimal.load.median,
      process: ringback.process.median / minimal.process.median,
    },
  };
}

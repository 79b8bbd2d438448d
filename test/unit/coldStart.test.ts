/**
 * A cold start defines the functions and loads no more (functions/build.mjs, src/index.ts):
 * every handler sits behind a lazy import, and what platform.ts loads for every function
 * (the push settings among it) must not pull in Firestore's client, which is heavy: under
 * load the emulator gave up loading functions when the push self-check imported it eagerly.
 * Nor zod: params.ts once took a constant from the command schemas, and every cold start paid
 * about 60 ms for it.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("a cold start", () => {
  it("loads the function definitions without Firestore's client, and without zod", async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, "functions", ".cold-"));
    try {
      const out = path.join(dir, "index.js");
      await build({
        entryPoints: [path.join(ROOT, "functions/src/index.ts")],
        outfile: out,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        packages: "external",
        logLevel: "silent",
      });
      const loaded = execFileSync(
        process.execPath,
        [
          "-e",
          `require(${JSON.stringify(out)});` +
            "console.log(JSON.stringify(Object.keys(require.cache)))",
        ],
        { cwd: path.join(ROOT, "functions"), env: { ...process.env }, encoding: "utf8" },
      );
      const mods = JSON.parse(loaded.trim().split("\n").pop() as string) as string[];
      expect(mods.some((m) => m.includes("firebase-functions"))).toBe(true);
      expect(mods.filter((m) => m.includes("@google-cloud/firestore"))).toEqual([]);
      // zod is about a third of a cold start (BENCHMARKS.md, 5): only handlers load it.
      expect(mods.filter((m) => /[\\/]node_modules[\\/]zod[\\/]/.test(m))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

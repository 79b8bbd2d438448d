// Builds the deployed entry point, lib/index.js: Ringback's own code in one file (esbuild),
// its packages (firebase-functions, firebase-admin, zod) left to node_modules. One file
// loads faster than the fifty tsc would emit, and every handler stays behind a lazy import
// (src/index.ts), so a cold start loads only what defining the functions needs.
import { build } from "esbuild";

await build({
  entryPoints: ["src/index.ts"],
  outfile: "lib/index.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external", // firebase-functions must stay one copy: it holds the params registry
  sourcemap: "linked",
  logLevel: "warning",
});

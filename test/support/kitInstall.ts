/**
 * `tsx test/support/kitInstall.ts <project> <result.json>`: installs the kit app ahead of its
 * suite (scripts/test.mjs starts it beside the unit run) and writes what it printed, or why
 * it failed, to the result file, which kit.test.ts waits for (kitApp.ts `kitApp`).
 */
import fs from "node:fs";
import { installKitApp } from "./kitApp.js";

const [project, file] = process.argv.slice(2);
if (!project || !file)
  throw new Error("usage: tsx test/support/kitInstall.ts <project> <result.json>");
const write = (result: object) => {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ project, ...result }));
  fs.renameSync(`${file}.tmp`, file); // whole, or not there: the suite never reads half
};
try {
  write({ installed: await installKitApp(project) });
} catch (e) {
  write({ error: e instanceof Error ? e.message : String(e) });
  process.exitCode = 1;
}

/**
 * Sets up examples/kit-app the way its README does, in .runtime/kit-app: the app as committed,
 * then Ringback installed into it twice by firebase-tools' own `functions:kits:install`,
 *  - by --package, from the `npm pack` tarball of functions/ (served as @ringback/functions
 *    by kitRegistry.ts): kit and instance `functions`, functions `kit-functions-<name>`;
 *  - by --directory, from a copy of functions/ at ringback/ inside the app: kit and instance
 *    `ringback`, functions `kit-ringback-<name>`,
 * each followed by the README's two steps of its own: Ringback's kit index in place of the
 * template's (--package only), and the params' defaults in the instance's config directory.
 * The CLI runs offline: FIREBASE_TOKEN satisfies its requireAuth without a network call, and
 * --no-configure skips its param prompts, which would read Secret Manager.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { startKitRegistry } from "./kitRegistry.js";

const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, "../..");
export const APP = path.join(ROOT, ".runtime/kit-app");
const FIREBASE = path.join(ROOT, "node_modules/.bin/firebase");

export interface Installed {
  /** What each `firebase functions:kits:install` printed (stdout and stderr). */
  packageOutput: string;
  directoryOutput: string;
}

async function firebase(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout, stderr } = await run(FIREBASE, args, {
      cwd: APP,
      env: { ...process.env, CI: "true", FIREBASE_TOKEN: "offline-test-token", ...env },
      timeout: 600_000,
      maxBuffer: 1 << 26,
    });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`firebase ${args.join(" ")} failed: ${e.message}\n${e.stdout}\n${e.stderr}`);
  }
}

export async function installKitApp(project: string): Promise<Installed> {
  fs.rmSync(APP, { recursive: true, force: true });
  fs.cpSync(path.join(ROOT, "examples/kit-app"), APP, { recursive: true });
  // The package: what `npm publish` would upload (functions/ is built by the stack's --build).
  const packDir = path.join(ROOT, ".runtime/kit-pack");
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.mkdirSync(packDir, { recursive: true });
  const { stdout } = await run(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", packDir],
    { cwd: path.join(ROOT, "functions") },
  );
  const tarball = path.join(packDir, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "functions/package.json"), "utf8"));
  const registry = await startKitRegistry(tarball, manifest);
  const npm = { npm_config_userconfig: registry.userconfig, npm_config_prefer_offline: "true" };
  let packageOutput: string;
  try {
    packageOutput = await firebase(
      ["functions:kits:install", "--package", "@ringback/functions", "--non-interactive"].concat([
        "--force",
        "--no-configure",
        "--project",
        project,
      ]),
      npm,
    );
  } finally {
    registry.close();
  }
  const source = path.join(APP, "function-kits/functions/source");
  fs.copyFileSync(path.join(APP, "kit-index.ts"), path.join(source, "src/index.ts"));
  await run("npm", ["run", "build"], { cwd: source });
  fs.copyFileSync(
    path.join(source, "node_modules/@ringback/functions/.env"),
    path.join(APP, "function-kits/functions/config-functions/.env"),
  );
  // The directory: Ringback's functions/ as a checkout has it (git's files, no build).
  const { stdout: files } = await run("git", ["ls-files", "functions"], { cwd: ROOT });
  for (const file of files.split("\n").filter(Boolean)) {
    const to = path.join(APP, "ringback", path.relative("functions", file));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), to);
  }
  const directoryOutput = await firebase(
    ["functions:kits:install", "--directory", "ringback", "--non-interactive"].concat([
      "--no-configure",
      "--project",
      project,
    ]),
    { npm_config_prefer_offline: "true" },
  );
  fs.copyFileSync(
    path.join(APP, "ringback/.env"),
    path.join(APP, "function-kits/ringback/config-ringback/.env"),
  );
  // What a developer sees, kept for reading (the docs quote it).
  fs.writeFileSync(
    path.join(ROOT, ".runtime/kit-install.log"),
    `$ firebase functions:kits:install --package …\n${packageOutput}\n` +
      `$ firebase functions:kits:install --directory ringback …\n${directoryOutput}\n`,
  );
  return { packageOutput, directoryOutput };
}

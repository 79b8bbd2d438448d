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

/**
 * The kit app installed for `project`: by `npm test`, which starts the install ahead (beside
 * the unit run: it is mostly npm and the CLI, an idle stack need not wait for it) and names
 * its result file in RINGBACK_KIT_INSTALL (test/support/kitInstall.ts writes it); otherwise
 * installed here and now.
 */
export async function kitApp(project: string): Promise<Installed> {
  const file = process.env.RINGBACK_KIT_INSTALL;
  if (!file) return installKitApp(project);
  for (const until = Date.now() + 600_000; !fs.existsSync(file);) {
    if (Date.now() > until) throw new Error(`the kit install ahead wrote no ${file} in 10 min`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const result = JSON.parse(fs.readFileSync(file, "utf8")) as {
    project: string;
    installed?: Installed;
    error?: string;
  };
  if (result.error) throw new Error(`the kit install ahead failed: ${result.error}`);
  if (result.project !== project || !result.installed) {
    throw new Error(`the kit install ahead was for ${result.project}, not ${project}`);
  }
  return result.installed;
}

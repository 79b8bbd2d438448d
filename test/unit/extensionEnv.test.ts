/**
 * The legacy extension's example instance (examples/app/extensions/ringback.env) gives every
 * param extension.yaml marks required, so that `firebase deploy --only extensions` asks for
 * nothing: each secret as a Secret Manager version (`ext-<instance>-<param>`, as ext:install
 * names it), and the emulators' ringback.secret.local holds a value for each secret.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), "utf8");

interface Param {
  name: string;
  required: boolean;
  type: string;
}

/** extension.yaml's params: name, required and type of each (its own two-space layout). */
function extensionParams(): Param[] {
  const yaml = read("extension.yaml");
  const blocks = yaml
    .slice(yaml.indexOf("\nparams:"))
    .split(/\n {2}- param: /)
    .slice(1);
  return blocks.map((b) => ({
    name: b.split("\n")[0]!.trim(),
    required: /\n {4}required: true\b/.test(b),
    type: /\n {4}type: (\w+)/.exec(b)?.[1] ?? "string",
  }));
}

const dotenv = (text: string) =>
  Object.fromEntries(
    text
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );

it("gives every required param of extension.yaml, and no param it lacks", () => {
  const params = extensionParams();
  expect(params.length).toBeGreaterThan(20);
  const env = dotenv(read("examples/app/extensions/ringback.env"));
  const missing = params.filter((p) => p.required && !(p.name in env)).map((p) => p.name);
  expect(missing).toEqual([]);
  expect(Object.keys(env).filter((k) => !params.some((p) => p.name === k))).toEqual([]);
});

it("names each secret's Secret Manager version, and the emulators' value for it", () => {
  const env = dotenv(read("examples/app/extensions/ringback.env"));
  const local = dotenv(read("examples/app/extensions/ringback.secret.local"));
  const secrets = extensionParams().filter((p) => p.type === "secret" && p.required);
  expect(secrets.map((s) => s.name).sort()).toEqual([
    "RINGBACK_APNS_KEY",
    "RINGBACK_WEBHOOK_SECRET",
  ]);
  for (const s of secrets) {
    expect(env[s.name]).toBe(
      `projects/\${param:PROJECT_NUMBER}/secrets/ext-ringback-${s.name}/versions/latest`,
    );
    expect(local[s.name], s.name).toBeTruthy();
  }
});

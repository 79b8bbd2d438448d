/**
 * `firebase deploy --only functions:ringback --non-interactive` in a fresh project needs
 * nothing but the committed functions/.env and the two secrets docs/deploy.md tells how to set.
 * Proven offline with firebase-tools' own code: it loads the dotenv files as a deploy does
 * (lib/functions/env.js loadUserEnvs: .env, then .env.<project id>; never .env.local), types
 * them (lib/deploy/functions/build.js envWithTypes) and resolves every declared param in
 * non-interactive mode (lib/deploy/functions/params.js resolveParams), which throws for a
 * param it would prompt for. Secrets are resolved there from Secret Manager (network), so this
 * test checks instead that each is documented with `firebase functions:secrets:set`.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dotenvText, paramSpecs, ROOT } from "../../scripts/ops/deploySpec.js";

const require = createRequire(path.join(ROOT, "package.json"));
const tools = path.join(ROOT, "node_modules/firebase-tools/lib");
const env = require(path.join(tools, "functions/env.js"));
const build = require(path.join(tools, "deploy/functions/build.js"));
const params = require(path.join(tools, "deploy/functions/params.js"));

const FUNCTIONS = path.join(ROOT, "functions");
const PROJECT = "fresh-project-2027"; // no .env.<id> of its own: a first deploy

/** firebase-tools' non-interactive resolution of `specs` from the dotenv files in `dir`. */
async function resolve(dir: string, specs = paramSpecs()) {
  const raw = env.loadUserEnvs({ functionsSource: dir, projectId: PROJECT, projectDir: ROOT });
  const plain = specs.filter((p) => p.type !== "secret");
  const { paramValues } = await params.resolveParams({
    params: plain,
    firebaseConfig: { projectId: PROJECT },
    userEnvs: build.envWithTypes(plain, raw),
    codebase: "ringback",
    nonInteractive: true,
  });
  return paramValues as Record<string, { toSDK(): string }>;
}

describe("a codebase deploy in a fresh project", () => {
  it("finds every non-secret param in the committed functions/.env, at its default", async () => {
    const specs = paramSpecs();
    expect(specs.length).toBeGreaterThan(30);
    const values = await resolve(FUNCTIONS);
    for (const p of specs.filter((s) => s.type !== "secret")) {
      expect(values[p.name]?.toSDK(), p.name).toBe(String(p.default));
    }
  });

  it("would fail (prompt, when interactive) for a param the dotenv files lack", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ringback-env-"));
    const lines = dotenvText().split("\n");
    fs.writeFileSync(
      path.join(dir, ".env"),
      lines.filter((l) => !l.startsWith("RINGBACK_MAX_DEVICES=")).join("\n"),
    );
    await expect(resolve(dir)).rejects.toThrow(
      /non-interactive mode but have no value for the following environment variables: RINGBACK_MAX_DEVICES/,
    );
    fs.rmSync(dir, { recursive: true });
  });

  it("lets .env.<project id> override the committed defaults", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ringback-env-"));
    fs.writeFileSync(path.join(dir, ".env"), dotenvText());
    fs.writeFileSync(path.join(dir, `.env.${PROJECT}`), "RINGBACK_REGION=europe-west1\n");
    expect((await resolve(dir)).RINGBACK_REGION?.toSDK()).toBe("europe-west1");
    fs.rmSync(dir, { recursive: true });
  });

  it("is what npm run deploy-config writes: functions/.env is current", () => {
    expect(fs.readFileSync(path.join(FUNCTIONS, ".env"), "utf8")).toBe(dotenvText());
  });

  it("declares every param in functions/src/params/ or a channel's params.ts (none elsewhere)", () => {
    const files = fs.readdirSync(path.join(FUNCTIONS, "src"), { recursive: true }) as string[];
    const channelParams = new RegExp(`^channels\\${path.sep}\\w+\\${path.sep}params\\.ts$`);
    const outside = files
      .filter((f) => f.endsWith(".ts") && !f.startsWith(`params${path.sep}`))
      .filter((f) => !channelParams.test(f))
      .filter((f) =>
        /\bdefine(String|Int|Boolean|Float|List|Secret|JsonSecret)\(/.test(
          fs.readFileSync(path.join(FUNCTIONS, "src", f), "utf8"),
        ),
      );
    expect(outside).toEqual([]);
  });

  it("documents every secret with firebase functions:secrets:set", () => {
    const secrets = paramSpecs().filter((p) => p.type === "secret");
    expect(secrets.map((s) => s.name).sort()).toEqual([
      "RINGBACK_APNS_KEY",
      "RINGBACK_WEBHOOK_SECRET",
      "RINGBACK_WEBHOOK_SECRET_PREVIOUS",
    ]);
    const docs = fs.readFileSync(path.join(ROOT, "docs/deploy.md"), "utf8");
    for (const s of secrets) {
      expect(docs, s.name).toMatch(new RegExp(`firebase functions:secrets:set ${s.name}\\b`));
    }
  });
});

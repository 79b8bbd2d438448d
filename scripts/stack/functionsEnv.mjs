// Hands the stack's environment to the functions emulator: firebase-tools resolves params
// from functions/.env* files (writing the defaults it chose into .env.local, which then win
// over the process environment) and secrets from functions/.secret.local. So each start
// writes both afresh from the RINGBACK_* params and secrets set in the environment of
// `npm start` / `npm run with-emulators`; nothing from an earlier run lingers.
import fs from "node:fs";
import path from "node:path";

export function writeFunctionsEnv(root, manifest, env = process.env) {
  const dir = path.join(root, "functions");
  const lines = (names) =>
    names
      .filter((n) => env[n] !== undefined && env[n] !== "")
      .map((n) => `${n}=${JSON.stringify(env[n])}`)
      .join("\n");
  fs.writeFileSync(path.join(dir, ".env.local"), `${lines(manifest.params)}\n`);
  // A declared secret with no value makes the emulator ask Secret Manager on every load: the
  // APNs key gets a placeholder (the emulator's pushes go to the local recorder anyway).
  const withDefaults = {
    RINGBACK_APNS_KEY: "none (emulator)",
    RINGBACK_WEBHOOK_SECRET_PREVIOUS: "none", // not rotating
    RINGBACK_WEBHOOK_SECRET: "none", // no callbacks, no policy hook (startCall binds it too)
    ...env,
  };
  const secrets = manifest.secrets
    .filter((n) => withDefaults[n])
    .map((n) => `${n}=${JSON.stringify(withDefaults[n])}`)
    .join("\n");
  const secretFile = path.join(dir, ".secret.local");
  if (secrets) fs.writeFileSync(secretFile, `${secrets}\n`, { mode: 0o600 });
  else fs.rmSync(secretFile, { force: true });
  return manifest.params.concat(manifest.secrets).filter((n) => env[n]);
}

/** A policy hook URL that is not http(s), or http off loopback, or without a secret. */
export function checkPolicyEnv(env = process.env) {
  const url = env.RINGBACK_POLICY_URL ?? "";
  if (url === "") return null;
  const problem = checkWebhookEnv({ ...env, RINGBACK_WEBHOOK_URL: url });
  return problem && problem.replaceAll("RINGBACK_WEBHOOK_URL", "RINGBACK_POLICY_URL");
}

/** A webhook URL without its secret, or not http(s), fails the start with what to fix. */
export function checkWebhookEnv(env = process.env) {
  const url = env.RINGBACK_WEBHOOK_URL ?? "";
  if (url === "") return null;
  if (!/^https?:\/\/\S+$/.test(url)) {
    return `RINGBACK_WEBHOOK_URL must be an http:// or https:// URL, not ${JSON.stringify(url)}.`;
  }
  const host = url.replace(/^https?:\/\/([^/?#]*@)?(\[[^\]]*\]|[^:/?#]*).*$/, "$2").toLowerCase();
  const loopback = /^(localhost|\[::1\]|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.test(host);
  if (url.startsWith("http://") && !loopback) {
    return `RINGBACK_WEBHOOK_URL must be https:// (http:// only on 127.0.0.1, ::1 or localhost), not ${JSON.stringify(url)}.`;
  }
  if (!env.RINGBACK_WEBHOOK_SECRET) {
    return "RINGBACK_WEBHOOK_URL is set but RINGBACK_WEBHOOK_SECRET is not: set both.";
  }
  return null;
}

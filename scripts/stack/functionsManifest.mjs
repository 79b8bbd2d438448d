// What the built functions declare, read the way firebase-tools reads it (load the entry
// point, look at each export's endpoint): the functions' names, the task queues' retry configs, which the local
// scheduled delivery honours, and the params and secrets, which the stack hands to the
// functions emulator from its own environment.
import { createRequire } from "node:module";
import path from "node:path";

export function functionsManifest(root) {
  const require = createRequire(path.join(root, "functions", "package.json"));
  const entry = require(path.join(root, "functions", "lib", "index.js"));
  const { declaredParams } = require("firebase-functions/params");
  const queues = {};
  for (const [name, fn] of Object.entries(entry)) {
    const trigger = fn?.__endpoint?.taskQueueTrigger;
    if (trigger) queues[name] = trigger.retryConfig ?? {};
  }
  const params = declaredParams.filter((p) => p.constructor.name !== "SecretParam");
  const secrets = declaredParams.filter((p) => p.constructor.name === "SecretParam");
  return {
    functions: Object.keys(entry).filter((name) => entry[name]?.__endpoint),
    // Those a client calls over HTTP (callables and the HTTP door): the ones the stack warms.
    http: Object.keys(entry).filter(
      (name) => entry[name]?.__endpoint?.callableTrigger || entry[name]?.__endpoint?.httpsTrigger,
    ),
    queues,
    params: params.map((p) => p.name),
    secrets: secrets.map((p) => p.name),
  };
}

/**
 * Cloud Tasks' wait before retry number `retry` (1 for the first retry): `minBackoffSeconds`,
 * doubled `maxDoublings` times, then growing linearly, never over `maxBackoffSeconds`.
 * Defaults are Cloud Tasks' own.
 */
export function backoffMs(retryConfig, retry) {
  const min = retryConfig.minBackoffSeconds ?? 0.1;
  const max = retryConfig.maxBackoffSeconds ?? 3600;
  const doublings = retryConfig.maxDoublings ?? 16;
  const doubled = min * 2 ** Math.min(retry - 1, doublings);
  const linear = retry - 1 > doublings ? (retry - 1 - doublings) * min * 2 ** doublings : 0;
  return Math.round(Math.min(max, doubled + linear) * 1000);
}

/** How many attempts in all (Cloud Tasks: -1 or none means unlimited; we stop at 100). */
export const maxAttempts = (retryConfig) =>
  retryConfig.maxAttempts && retryConfig.maxAttempts > 0 ? retryConfig.maxAttempts : 100;

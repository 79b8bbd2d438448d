// Copies the model's plain types (functions/src/model/domain.ts and wire.ts: no imports but
// each other, no zod, no Firebase) into src/model/, so the SDK is built from the same
// declarations as the server and publishes standalone (its declarations and maps point into
// its own src/). The copy is generated (git ignores it): never edit it, edit the model.
// Run by the client's build and typecheck, and by the root typecheck.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const CLIENT = path.dirname(fileURLToPath(import.meta.url));
const MODEL = path.join(CLIENT, "..", "functions", "src", "model");
const OUT = path.join(CLIENT, "src", "model");
export const SHARED = ["domain.ts", "wire.ts"];

fs.mkdirSync(OUT, { recursive: true });
for (const file of SHARED) {
  const text = fs.readFileSync(path.join(MODEL, file), "utf8");
  const banner = `// Generated from functions/src/model/${file} by client/sync-model.mjs: do not edit.\n`;
  const target = path.join(OUT, file);
  const next = banner + text;
  // Unchanged: left alone, so a watcher or a parallel check sees no write.
  if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== next) {
    fs.writeFileSync(`${target}.tmp`, next);
    fs.renameSync(`${target}.tmp`, target);
  }
}

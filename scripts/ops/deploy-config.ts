// Writes what a deploy reads and what docs/params.md counts, from the code (scripts/ops/
// deploySpec.ts): functions/.env (every param at its default) and the block of
// docs/params.md between the "generated" markers (counts, param table, secrets).
//   npm run deploy-config            rewrite both
//   npm run deploy-config -- --check exit 1 if either is stale (test/unit/deployDocs.test.ts, deployParams.test.ts)
import fs from "node:fs";
import path from "node:path";
import { deployDocsText } from "./deployDocs.js";
import { dotenvText, ROOT } from "./deploySpec.js";

async function main() {
  const check = process.argv.includes("--check");
  const files: [string, string][] = [
    ["functions/.env", dotenvText()],
    ["docs/params.md", await deployDocsText()],
  ];
  let stale = 0;
  for (const [file, want] of files) {
    const abs = path.join(ROOT, file);
    const have = fs.existsSync(abs) ? fs.readFileSync(abs, "utf8") : "";
    if (have === want) continue;
    if (check) {
      console.error(`${file} is stale: run npm run deploy-config`);
      stale++;
    } else {
      fs.writeFileSync(abs, want);
      console.log(`wrote ${file}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}

void main();

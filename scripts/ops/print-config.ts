/**
 * `npm run print-config -- [--users <name>] [--calls <name>]`: prints what an app merges into
 * its own Firestore config for Ringback under those collection names (the params
 * RINGBACK_USERS_COLLECTION and RINGBACK_CALLS_COLLECTION; defaults users and calls): the
 * warnings to read first, the rules block, and the firestore.indexes.json entries.
 * `--rules-file <path>` / `--indexes-file <path>` write a whole rules file (the block and
 * nothing else open) and the index config instead, as the local stack and the tests use them.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_NAMES } from "../../functions/src/model/collections.js";
import { indexConfig, namesProblem, rulesBlock, rulesFile, warnings } from "./ringbackConfig.js";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: DEFAULT_NAMES.users },
    calls: { type: "string", default: DEFAULT_NAMES.calls },
    "rules-file": { type: "string" },
    "indexes-file": { type: "string" },
  },
});
const names = { users: values.users, calls: values.calls };
const problem = namesProblem(names);
if (problem) {
  console.error(`print-config: ${problem}`);
  process.exit(2);
}
const indexes = `${JSON.stringify(indexConfig(names), null, 2)}\n`;
if (values["rules-file"] || values["indexes-file"]) {
  if (values["rules-file"]) fs.writeFileSync(values["rules-file"], rulesFile(names));
  if (values["indexes-file"]) fs.writeFileSync(values["indexes-file"], indexes);
} else {
  const out = [
    `# Ringback's Firestore config for users collection "${names.users}", calls collection "${names.calls}"`,
    "",
    "## Warnings: what your app shares with Ringback",
    ...warnings(names).map((w) => `WARNING: ${w}`),
    "",
    "## firestore.rules: paste inside `match /databases/{database}/documents { … }`",
    rulesBlock(names),
    "## firestore.indexes.json: add these to your own `indexes` and `fieldOverrides`",
    indexes,
  ];
  process.stdout.write(out.join("\n"));
}

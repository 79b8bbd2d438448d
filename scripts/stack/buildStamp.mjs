// Whether `npm run build`'s outputs are those of the sources as they are now: a hash of every
// source and config the build reads, kept beside the outputs. A stack started with --build
// (npm start) skips a build whose stamp matches, so that starting it again costs no rebuild.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const INPUTS = [
  "functions/src",
  "functions/build.mjs",
  "functions/tsconfig.json",
  "functions/package.json",
  "client/src",
  "client/tsconfig.json",
  "client/package.json",
  "package-lock.json",
];
const OUTPUTS = ["functions/lib/index.js", "client/dist"];

function files(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return [];
  if (!st.isDirectory()) return [p];
  return fs
    .readdirSync(p)
    .sort()
    .flatMap((e) => files(path.join(p, e)));
}

export function sourceHash(root) {
  const h = crypto.createHash("sha256");
  for (const f of INPUTS.flatMap((i) => files(path.join(root, i)))) {
    h.update(path.relative(root, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  }
  return h.digest("hex");
}

const stampFile = (root) => path.join(root, ".runtime", "build.stamp");

/** True when every output exists and was built from the sources as they are now. */
export function buildIsCurrent(root) {
  const needed = [...OUTPUTS.map((o) => path.join(root, o)), stampFile(root)];
  if (!needed.every((f) => fs.existsSync(f))) return false;
  return fs.readFileSync(stampFile(root), "utf8") === sourceHash(root);
}

/** Records that the outputs are now those of the current sources (after a build that passed). */
export function stampBuild(root) {
  fs.mkdirSync(path.dirname(stampFile(root)), { recursive: true });
  fs.writeFileSync(stampFile(root), sourceHash(root));
}

/**
 * The repository explains itself: every `docs/protocol.md#…` the code points to exists, the
 * docs list exactly the notification catalogue, and nothing cites a document outside the repo.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NOTIFICATION_PATHS } from "../../functions/src/core/notifications.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), "utf8");
const sources = (dir: string): string[] =>
  fs
    .readdirSync(path.join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

const protocol = read("docs/protocol.md");
const anchors = new Set(
  protocol
    .split("\n")
    .filter((l) => /^#{1,4} /.test(l))
    .map((l) => slug(l.replace(/^#+ /, ""))),
);
const code = sources("functions/src").map((f) => [f, read(f)] as const);

describe("docs/protocol.md", () => {
  it("has every section the code points to", () => {
    const cited = code.flatMap(([f, text]) =>
      [...text.matchAll(/docs\/protocol\.md#([a-z0-9-]+)/g)].map((m) => [f, m[1]] as const),
    );
    expect(cited.length).toBeGreaterThan(10);
    expect(cited.filter(([, a]) => !anchors.has(a as string))).toEqual([]);
  });

  it("lists exactly the notification catalogue, as docs/reference.md does", () => {
    for (const doc of [protocol, read("docs/reference.md")]) {
      const listed = new Set(doc.match(/\/call\/notify_[a-z_]+/g));
      expect([...listed].sort()).toEqual([...NOTIFICATION_PATHS].sort());
    }
  });
});

describe("functions/src", () => {
  it("cites nothing outside the repository", () => {
    const outside = code.filter(([, text]) =>
      /\bseed \d{3}\b|PROTOCOL\.md|\.\.\/shared/.test(text),
    );
    expect(outside.map(([f]) => f)).toEqual([]);
  });

  it("keeps every module small (about 300 lines at most)", () => {
    const big = code.filter(([, text]) => text.split("\n").length > 320);
    expect(big.map(([f, text]) => `${f}: ${text.split("\n").length}`)).toEqual([]);
  });
});

describe("README and docs/", () => {
  const docs = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).map((f) => `docs/${f}`)];

  it("shows the webhook receiver exactly as examples/webhook-receiver.mjs has it", () => {
    const example = read("examples/webhook-receiver.mjs");
    const body = example.slice(example.indexOf("import { createHash"));
    expect(read("docs/webhooks.md")).toContain(body);
  });

  it("link only to files in the repository, and every one exists", () => {
    const broken = docs.flatMap((doc) =>
      [...read(doc).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
        .map((m) => m[1] as string)
        .filter((target) => !/^https?:/.test(target))
        .filter((target) => !fs.existsSync(path.join(ROOT, path.dirname(doc), target)))
        .map((target) => `${doc} -> ${target}`),
    );
    expect(broken).toEqual([]);
    expect(docs.filter((doc) => /\.\.\/shared|PROTOCOL\.md/.test(read(doc)))).toEqual([]);
  });

  it("keep the README a guide: about 250 lines at most, no table row over 200 characters", () => {
    const readme = read("README.md").split("\n");
    expect(readme.length).toBeLessThanOrEqual(260);
    expect(readme.filter((l) => l.length > 200)).toEqual([]);
    expect(read("README.md")).not.toMatch(/\bseed \d{3}\b|\b20\d\d-\d\d-\d\d\b/);
  });
});

/**
 * docs/params.md's counts and param table come from the code (scripts/ops/deployDocs.ts) and
 * cannot drift: the generated block must be current, and no other line of the deploy guides
 * may state a count of functions, queues, indexes or TTL policies that the code contradicts.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deployDocsText } from "../../scripts/ops/deployDocs.js";
import { counts, ROOT } from "../../scripts/ops/deploySpec.js";

const GUIDES = ["docs/params.md", "docs/deploy.md", "docs/operate.md", "docs/kit.md", "README.md"];
const WORDS: Record<string, string> = {
  one: "1",
  two: "2",
  three: "3",
  four: "4",
  five: "5",
  six: "6",
};

describe("docs/params.md", () => {
  it("has the generated block npm run deploy-config writes", async () => {
    expect(fs.readFileSync(path.join(ROOT, "docs/params.md"), "utf8")).toBe(await deployDocsText());
  });

  it("states no count the code contradicts, in any deploy guide", () => {
    const c = counts();
    const want: Record<string, number> = {
      functions: c.functions.length,
      queues: c.queues.length,
      "composite indexes": c.indexes,
      indexes: c.indexes,
      "TTL policies": c.ttl.length,
      policies: c.ttl.length,
    };
    expect(c).toMatchObject({
      queues: [
        "deadlineTask",
        ...[1, 2, 3, 4, 5, 6, 7].map((i) => `deadlineTask${i}`),
        "webhookTask",
        ...[1, 2, 3, 4, 5, 6, 7].map((i) => `webhookTask${i}`),
        "pushTask",
        ...[1, 2, 3, 4, 5, 6, 7].map((i) => `pushTask${i}`),
      ],
    });
    for (const guide of GUIDES) {
      const text = fs.readFileSync(path.join(ROOT, guide), "utf8").replace(/\*\*/g, "");
      for (const [noun, n] of Object.entries(want)) {
        const re = new RegExp(`\\b(\\d+|${Object.keys(WORDS).join("|")}) ${noun}\\b`, "gi");
        for (const m of text.matchAll(re)) {
          const stated = Number(WORDS[m[1]!.toLowerCase()] ?? m[1]);
          expect(stated, `${guide}: "${m[0]}"`).toBe(n);
        }
      }
    }
  });
});

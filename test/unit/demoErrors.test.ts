/**
 * The demo's refusal sentences (demo/src/errors.ts): every reason docs/protocol.md's Errors
 * table and docs/http-api.md's answer table name has a short sentence of its own, and no
 * sentence repeats the server's message.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { KNOWN_REASONS, sentenceFor } from "../../demo/src/errors.js";

/** The backticked reasons in column `column` of the markdown table after `heading`. */
function tableReasons(file: string, heading: string, column: number): string[] {
  const text = fs.readFileSync(file, "utf8");
  const start = text.indexOf(heading);
  expect(start, `${heading} in ${file}`).toBeGreaterThan(-1);
  const lines = text.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("| "));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith("|"));
  const rows = lines.slice(first + 2, end); // the first table after the heading, no header
  const reasons = rows
    .map((l) => l.split("|")[column]?.trim() ?? "")
    .filter((c) => /^`[a-z_]+`$/.test(c))
    .map((c) => c.slice(1, -1));
  return [...new Set(reasons)];
}

// The door's own transport refusals never reach the demo: it speaks the callables, and its
// pagehide requests are fire-and-forget.
const DOOR_ONLY = new Set([
  "malformed_json",
  "bad_cursor",
  "origin_not_allowed",
  "unknown_command",
  "method_not_allowed",
  "body_too_large",
]);

describe("demo refusal sentences", () => {
  it("cover every reason of the protocol's and the door's error tables", () => {
    const protocol = tableReasons("docs/protocol.md", "\n## Errors\n", 2);
    const door = tableReasons("docs/http-api.md", "| status | `reason`", 2);
    expect(protocol.length).toBeGreaterThan(15);
    for (const reason of [...protocol, ...door.filter((r) => !DOOR_ONLY.has(r))]) {
      expect(KNOWN_REASONS, reason).toContain(reason);
    }
  });

  it("turn a refusal into its sentence, never the server's message", () => {
    const raw = {
      code: "functions/failed-precondition",
      message: "Your phone is ringing (status ringing, call bQdv…) [400]",
      details: { reason: "busy", call_id: "bQdv", status: "ringing" },
    };
    expect(sentenceFor(raw)).toBe("You are already in a call.");
    expect(sentenceFor({ code: "failed-precondition", reason: "answered_elsewhere" })).toBe(
      "Answered on another device.",
    );
    expect(
      sentenceFor({
        code: "functions/resource-exhausted",
        details: { reason: "rate_limited", retry_after_ms: 4200 },
      }),
    ).toBe("Too many calls in a short time. Try again in 5 s.");
    // A code alone (a network failure, say), and something that is no error at all.
    expect(sentenceFor({ code: "functions/unavailable", message: "fetch failed" })).toBe(
      "The server cannot be reached. Try again.",
    );
    expect(sentenceFor(new Error("boom"))).toBe("That did not work. Try again.");
    for (const reason of KNOWN_REASONS) {
      const s = sentenceFor({ code: "x", details: { reason } });
      expect(s, reason).toMatch(/^[A-Z].*\.$/);
      expect(s.length, reason).toBeLessThan(80);
    }
  });
});

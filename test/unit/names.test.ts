/** Names others see (functions/src/core/names.ts). */
import { describe, expect, it } from "vitest";
import { NAME_MAX, normalizeName } from "../../functions/src/core/names.js";

describe("normalizeName", () => {
  it.each([
    ["alice", "alice"],
    ["  Bank \t\n Support  ", "Bank Support"],
    ["\u202Etroppus\u202C Bank", "troppus Bank"], // bidi override
    ["\u2066A\u2069\u200E\u200F", "A"], // isolates and marks
    ["Ba\u200Bnk\u200D\uFEFFs", "Banks"], // zero-width (JS \s counts U+FEFF)
    ["A\u0000B\u0007C\u007F", "ABC"], // controls
    ["e\u0301", "\u00E9"], // NFC
    ["A\u2028B\u00A0\u3000C", "A B C"], // separators and other spaces
    ["", "Unknown"],
    ["\u200B \u202E\u0000", "Unknown"],
  ])("%j → %j", (raw, want) => expect(normalizeName(raw)).toBe(want));

  it("keeps at most 64 characters, never half a surrogate pair", () => {
    expect(normalizeName("x".repeat(100))).toHaveLength(NAME_MAX);
    const emoji = "😀".repeat(70);
    expect(Array.from(normalizeName(emoji))).toHaveLength(NAME_MAX);
    expect(normalizeName(`${"a".repeat(63)} b`)).toBe("a".repeat(63)); // no trailing space
  });

  it("reads a missing name as Unknown", () => {
    expect(normalizeName(undefined)).toBe("Unknown");
    expect(normalizeName(null)).toBe("Unknown");
  });
});

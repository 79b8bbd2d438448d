/** The notification stream's cursor check and its per-user cap (adapters/http/stream.ts). */
import { describe, expect, it } from "vitest";
import { parseCursor } from "../../functions/src/adapters/http/stream.js";
import { openStreams, takeSlot } from "../../functions/src/adapters/http/streamSlots.js";

const NOW = Date.UTC(2026, 11, 2);
const at = (ms: number) => `c1-1-0@${Math.floor(ms / 1000)}.000000000`;

describe("parseCursor", () => {
  it("takes an id it gave out, within the retention", () => {
    expect(parseCursor(at(NOW - 3600_000), NOW)?.id).toBe("c1-1-0");
    expect(parseCursor(`@${Math.floor(NOW / 1000)}.123456789`, NOW)?.id).toBe("");
    expect(parseCursor(undefined, NOW)).toBeUndefined();
    expect(parseCursor("", NOW)).toBeUndefined();
  });

  it.each([
    ["malformed", "not-one-of-ours"],
    ["the epoch (replays everything kept)", "@0.000000000"],
    ["older than 7 days", at(NOW - 8 * 24 * 3600_000)],
    ["in the future", at(NOW + 5 * 60_000)],
    ["nanoseconds out of range", `x@${Math.floor(NOW / 1000)}.9999999999`],
    ["a huge id", `${"a".repeat(300)}@${Math.floor(NOW / 1000)}.000000000`],
  ])("refuses %s", (_, raw) => expect(parseCursor(raw, NOW)).toBeNull());
});

describe("takeSlot", () => {
  it("a new stream beyond the cap ends the oldest; ending frees the slot", () => {
    const ended: string[] = [];
    const releases = ["s1", "s2", "s3"].map((name) => {
      let release = () => {};
      const end = (why: string) => {
        ended.push(`${name}: ${why}`);
        release();
      };
      release = takeSlot("u", 2, end);
      return release;
    });
    expect(ended).toEqual(["s1: a newer stream of this user took its place"]);
    expect(openStreams("u")).toBe(2);
    releases[1]?.();
    releases[2]?.();
    expect(openStreams("u")).toBe(0);
    expect(openStreams("other")).toBe(0);
  });
});

/** Who is rung (functions/src/core/screening.ts): blocks, and the ring limits' sliding minute. */
import { describe, expect, it } from "vitest";
import { RING_LOG_MAX, screen, type RingLog } from "../../functions/src/core/screening.js";

const NOW = 1_000_000;
const limits = { calleePerMinute: 3, pairPerMinute: 2 };
const log = (...rings: [from: string, ago: number][]): RingLog => ({
  rings: rings.map(([from, ago]) => ({ from, at: NOW - ago })),
});
const facts = (logs: Record<string, RingLog> = {}, blocked: string[] = []) => ({
  blocked: new Set(blocked),
  logs: new Map(Object.entries(logs)),
});

describe("screen", () => {
  it("leaves out who blocked the caller, whatever the limits", () => {
    const r = screen("a", ["b", "c"], facts({}, ["b"]), NOW, undefined);
    expect([...r.undelivered]).toEqual(["b"]);
    expect(r.logs.size).toBe(0); // no limit on: nothing to count
  });

  it("counts per pair and per callee over the last minute only", () => {
    const logs = {
      b: log(["a", 1000], ["a", 2000]), // the pair's 2
      c: log(["x", 1000], ["y", 2000], ["z", 3000]), // the callee's 3
      d: log(["a", 61_000], ["a", 70_000], ["x", 60_001]), // all older than a minute
    };
    const r = screen("a", ["b", "c", "d", "e"], facts(logs), NOW, limits);
    expect([...r.undelivered].sort()).toEqual(["b", "c"]);
    expect(r.logs.get("d")).toEqual({ rings: [{ from: "a", at: NOW }] });
    expect(r.logs.get("e")).toEqual({ rings: [{ from: "a", at: NOW }] });
  });

  it("0 turns a limit off", () => {
    const logs = { b: log(["a", 1], ["a", 2], ["a", 3], ["a", 4]) };
    const r = screen("a", ["b"], facts(logs), NOW, { calleePerMinute: 0, pairPerMinute: 0 });
    expect(r.undelivered.size).toBe(0);
    const pairOnly = screen("x", ["b"], facts(logs), NOW, { calleePerMinute: 0, pairPerMinute: 2 });
    expect(pairOnly.undelivered.size).toBe(0);
    expect(pairOnly.logs.get("b")?.rings).toHaveLength(5);
  });

  it("keeps a log bounded", () => {
    const many = log(...Array.from({ length: 500 }, (_, i): [string, number] => [`u${i}`, 10]));
    const r = screen("a", ["b"], facts({ b: many }), NOW, { calleePerMinute: 0, pairPerMinute: 5 });
    expect(r.logs.get("b")?.rings).toHaveLength(RING_LOG_MAX);
    expect(r.logs.get("b")?.rings.at(-1)).toEqual({ from: "a", at: NOW });
  });
});

import { describe, expect, it } from "vitest";
import { Inbox, RESUME_OVERLAP_MS, order } from "../../../client/src/inbox.js";
import { note } from "./fakes.js";

describe("Inbox: each notification once, in order", () => {
  it("treats the first snapshot as history, except what keep picks", () => {
    const inbox = new Inbox();
    const old = note("notify_call_end", "c0", 1000);
    const ringing = note("notify_call_invited", "c1", 1000);
    expect(inbox.prime([old, ringing], (n) => n.call_id === "c1")).toEqual([ringing]);
    expect(inbox.take([old, ringing])).toEqual([]);
  });

  it("delivers a doc once, however often listeners report it", () => {
    const inbox = new Inbox();
    inbox.prime([], () => false);
    const a = note("notify_call_accept", "c", 2000);
    expect(inbox.take([a])).toEqual([a]);
    expect(inbox.take([a])).toEqual([]);
    expect(inbox.take([a, a])).toEqual([]);
  });

  it("orders a call's docs by seq and calls by their first doc", () => {
    const t = 1_000_000;
    const b2 = note("notify_call_end", "b", 3001, {}, t + 5);
    const a1 = note("notify_call_accept", "a", 2000, {}, t + 1);
    const b1 = note("notify_call_accept", "b", 3000, {}, t);
    const a2 = note("notify_call_end", "a", 2001, {}, t + 2);
    expect(order([b2, a2, a1, b1]).map((n) => n.id)).toEqual([b1, b2, a1, a2].map((n) => n.id));
  });

  it("resumes a little before the newest doc seen", () => {
    const inbox = new Inbox();
    expect(inbox.resumeAfter()).toBeNull();
    inbox.prime([note("notify_call_end", "c", 1, {}, 5_000_000)], () => false);
    inbox.take([note("notify_call_end", "d", 1, {}, 7_000_000)]);
    expect(inbox.resumeAfter()).toBe(7_000_000 - RESUME_OVERLAP_MS);
  });
});

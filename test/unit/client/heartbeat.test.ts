import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Heartbeat } from "../../../client/src/heartbeat.js";
import { fakeClock } from "./fakes.js";

describe("heartbeat", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  const setup = () => {
    const send = vi.fn(async (_id: string) => ({}));
    const onError = vi.fn();
    return { send, onError, hb: new Heartbeat(fakeClock, send, onError) };
  };

  it("beats every interval while set, and stops when unset", async () => {
    const { send, hb } = setup();
    hb.set({ callId: "c", intervalS: 20 });
    await vi.advanceTimersByTimeAsync(19_999);
    expect(send).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(send).toHaveBeenCalledWith("c");
    await vi.advanceTimersByTimeAsync(40_000);
    expect(send).toHaveBeenCalledTimes(3);
    hb.set(null);
    await vi.advanceTimersByTimeAsync(100_000);
    expect(send).toHaveBeenCalledTimes(3);
  });

  it("setting the same target again does not restart the period", async () => {
    const { send, hb } = setup();
    hb.set({ callId: "c", intervalS: 10 });
    await vi.advanceTimersByTimeAsync(9_000);
    hb.set({ callId: "c", intervalS: 10 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("follows a new interval of the same call, and restarts for another call", async () => {
    const { send, hb } = setup();
    hb.set({ callId: "c", intervalS: 20 });
    await vi.advanceTimersByTimeAsync(5_000);
    hb.set({ callId: "c", intervalS: 5 }); // the call doc arrived: its interval counts
    await vi.advanceTimersByTimeAsync(0); // 5 s are already over: beat now
    expect(send).toHaveBeenCalledTimes(1);
    hb.set({ callId: "d", intervalS: 5 });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(send).toHaveBeenLastCalledWith("d");
  });

  it("poke() beats only when a beat is overdue (timers throttled in a hidden tab)", async () => {
    const { send, hb } = setup();
    hb.set({ callId: "c", intervalS: 20 });
    vi.setSystemTime(Date.now() + 10_000); // time passes, timers do not run
    hb.poke();
    expect(send).not.toHaveBeenCalled();
    vi.setSystemTime(Date.now() + 15_000);
    hb.poke();
    expect(send).toHaveBeenCalledTimes(1);
  });

  it("reports a failed beat and keeps beating", async () => {
    const { send, onError, hb } = setup();
    send.mockRejectedValueOnce(new Error("unavailable"));
    hb.set({ callId: "c", intervalS: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(onError).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(send).toHaveBeenCalledTimes(2);
  });
});

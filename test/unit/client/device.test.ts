/**
 * One device answers, in the SDK (docs/devices.md): the session's device id, whether this
 * device holds the call, `alone` (who left and why), and the heartbeat only on the active
 * device.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deviceIdOf } from "../../../client/src/device.js";
import { Emitter } from "../../../client/src/emitter.js";
import type { RingbackEvents } from "../../../client/src/events.js";
import { Session } from "../../../client/src/session.js";
import { aloneIn, isThisDevice, readCallDoc, readUserDoc } from "../../../client/src/state.js";
import { FakeSource, callDoc as baseDoc, fakeClock, note } from "./fakes.js";

/** fakes' callDoc, each user listed once in user_ids when `users` overrides alice or bob. */
const callDoc: typeof baseDoc = (id, over = {}, users = {}) =>
  baseDoc(id, { user_ids: [...new Set(["alice", "bob", ...Object.keys(users)])], ...over }, users);

/** A Web Storage over a Map; `broken` throws like a sandboxed frame's. */
function storage(broken = false): Storage {
  const m = new Map<string, string>();
  const no = () => {
    throw new Error("SecurityError");
  };
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    key: (i) => [...m.keys()][i] ?? null,
    getItem: broken ? no : (k) => m.get(k) ?? null,
    setItem: broken ? no : (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

describe("deviceIdOf", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("is the option when given", () => {
    expect(deviceIdOf("bob-phone")).toBe("bob-phone");
  });

  it("keeps the profile's id across tabs, and the tab's across reloads", () => {
    const profile = storage();
    vi.stubGlobal("localStorage", profile);
    vi.stubGlobal("sessionStorage", storage());
    const first = deviceIdOf();
    expect(first).toMatch(/^web-[A-Za-z0-9]{16}-[A-Za-z0-9]{8}$/);
    expect(deviceIdOf()).toBe(first); // a reload: the same tab
    vi.stubGlobal("sessionStorage", storage()); // another window of the same profile
    const second = deviceIdOf();
    expect(second).not.toBe(first);
    expect(second.split("-")[1]).toBe(first.split("-")[1]);
  });

  it("replaces a stored id that is not a valid one", () => {
    const profile = storage();
    profile.setItem("ringback.device", "bad id/with slash");
    vi.stubGlobal("localStorage", profile);
    vi.stubGlobal("sessionStorage", storage());
    const id = deviceIdOf();
    expect(id).toMatch(/^web-[A-Za-z0-9]{16}-[A-Za-z0-9]{8}$/);
    expect(profile.getItem("ringback.device")).toBe(id.split("-")[1]);
  });

  it("is random, and still valid, where storage is absent or refused", () => {
    vi.stubGlobal("localStorage", storage(true));
    vi.stubGlobal("sessionStorage", undefined);
    const a = deviceIdOf();
    expect(a).toMatch(/^web-[A-Za-z0-9]{16}-[A-Za-z0-9]{8}$/);
    expect(deviceIdOf()).not.toBe(a);
  });
});

describe("isThisDevice", () => {
  const user = (status: string, device_id?: string) =>
    readUserDoc({ status, call_id: "c1", ...(device_id ? { device_id } : {}) });

  it("is true while idle or ringing (every device rings)", () => {
    expect(isThisDevice(user("idle", "phone"), "laptop")).toBe(true);
    expect(isThisDevice(user("ringing", "phone"), "laptop")).toBe(true);
  });

  it("in a call, is true only on the active device", () => {
    expect(isThisDevice(user("in_call", "phone"), "phone")).toBe(true);
    expect(isThisDevice(user("in_call", "phone"), "laptop")).toBe(false);
    expect(isThisDevice(user("calling", "phone"), "laptop")).toBe(false);
  });

  it("is true when no device is named, on either side", () => {
    expect(isThisDevice(user("in_call"), "laptop")).toBe(true);
    expect(isThisDevice(user("in_call", "phone"), undefined)).toBe(true);
  });
});

describe("aloneIn", () => {
  const ongoing = (users: Record<string, unknown>, over = {}) =>
    readCallDoc("c1", callDoc("c1", { state: "ongoing", mode: "advanced", ...over }, users));
  const accepted = (id: string) => ({ id, name: id, state: "accepted" });
  const quit = (id: string) => ({ id, name: id, state: "quit" });

  it("names who left and why once you are the only accepted user", () => {
    const call = ongoing({ bob: quit("bob"), carol: quit("carol") });
    expect(aloneIn(call, "alice", new Set(["carol"]))).toEqual({
      callId: "c1",
      left: [
        { id: "bob", name: "bob", reason: "quit" },
        { id: "carol", name: "carol", reason: "timeout" },
      ],
    });
  });

  it("is null while another is still in, for the one who left, and once the call ended", () => {
    expect(
      aloneIn(ongoing({ bob: accepted("bob"), carol: quit("carol") }), "alice", new Set()),
    ).toBe(null);
    expect(aloneIn(ongoing({ bob: quit("bob") }), "bob", new Set())).toBe(null);
    expect(aloneIn(ongoing({ bob: quit("bob") }, { state: "ended" }), "alice", new Set())).toBe(
      null,
    );
    expect(aloneIn(null, "alice", new Set())).toBe(null);
  });

  it("is null when nobody left yet (the others still ring)", () => {
    expect(aloneIn(ongoing({ bob: { id: "bob", state: "inviting" } }), "alice", new Set())).toBe(
      null,
    );
  });
});

describe("Session on one of several devices", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  function setup(deviceId: string) {
    const source = new FakeSource();
    const events = new Emitter<RingbackEvents>();
    const heartbeat = vi.fn(async (_id: string) => ({}));
    const session = new Session({
      uid: "bob",
      deviceId,
      source,
      clock: fakeClock,
      events,
      heartbeat,
      ack: async () => ({}),
    });
    const elsewhere: RingbackEvents["answeredElsewhere"][] = [];
    events.on("answeredElsewhere", (e) => elsewhere.push(e));
    session.start();
    source.pushNotes([]);
    return { source, session, heartbeat, elsewhere };
  }
  const inCall = { status: "in_call", call_id: "c1", device_id: "phone" };
  const bobIn = { bob: { id: "bob", name: "Bob", state: "accepted" } };

  it("the active device heartbeats; another says answeredElsewhere once and stays quiet", async () => {
    const phone = setup("phone");
    const laptop = setup("laptop");
    for (const d of [phone, laptop]) {
      d.source.pushUser(inCall);
      d.source.setCall("c1", callDoc("c1", { state: "ongoing" }, bobIn));
      d.source.pushUser({ ...inCall }); // a repeat snapshot tells nothing again
    }
    expect(phone.session.current).toMatchObject({ activeDeviceId: "phone", isThisDevice: true });
    expect(laptop.session.current).toMatchObject({ activeDeviceId: "phone", isThisDevice: false });
    expect(phone.elsewhere).toEqual([]);
    expect(laptop.elsewhere).toEqual([{ callId: "c1", deviceId: "phone" }]);
    await vi.advanceTimersByTimeAsync(45_000);
    expect(phone.heartbeat).toHaveBeenCalledWith("c1");
    expect(laptop.heartbeat).not.toHaveBeenCalled();
  });

  it("sets alone when the peer quits or times out", async () => {
    const { source, session } = setup("phone");
    source.pushUser(inCall);
    source.setCall("c1", callDoc("c1", { state: "ongoing", mode: "advanced" }, bobIn));
    expect(session.current.alone).toBe(null);
    source.pushNotes([note("notify_timeout", "c1", 5, { call_id: "c1", id: "alice" })]);
    await vi.advanceTimersByTimeAsync(0);
    const alicePart = { alice: { id: "alice", name: "Alice", state: "quit" } };
    source.setCall(
      "c1",
      callDoc("c1", { state: "ongoing", mode: "advanced" }, { ...bobIn, ...alicePart }),
    );
    expect(session.current.alone).toEqual({
      callId: "c1",
      left: [{ id: "alice", name: "Alice", reason: "timeout" }],
    });
  });
});

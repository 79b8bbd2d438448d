/**
 * The push size check (functions/src/core/pushSize.ts, docs/protocol.md#offline-push): a
 * startCall `push` whose ring would not fit FCM's 4096 data bytes or APNs' 5120 payload bytes
 * is refused at the exact byte, counted as the services count (after JSON escaping, UTF-8),
 * with room kept for the fixed fields at their largest. Before, up to about 6 KB of ASCII (17
 * KB of escaped CJK) was accepted and the ring failed at send time, silently.
 */
import { describe, expect, it } from "vitest";
import { pushData } from "../../functions/src/channels/push/messages.js";
import type { PushJob } from "../../functions/src/core/push.js";
import {
  APNS_PAYLOAD_LIMIT,
  apnsPayloadBytes,
  checkPushSize,
  escapedBytes,
  FCM_DATA_LIMIT,
  fcmDataBytes,
  pushTooBig,
} from "../../functions/src/core/pushSize.js";

const CALLER = "alice-uid-0123456789";
const empty = { title: "", content: "", payload: "" };
/** The bytes left for the payload (the server builds the title and content itself). */
const room = FCM_DATA_LIMIT - fcmDataBytes(empty, CALLER);

/** A payload of exactly `n` escaped bytes made of `unit` (and ASCII to make up the rest). */
function fill(n: number, unit: string): string {
  const each = escapedBytes(unit);
  const k = Math.floor(n / each);
  return unit.repeat(k) + "a".repeat(n - k * each);
}

/** What FCM counts of a real ring's data: keys and escaped values. */
const fcmCount = (data: Record<string, string>) =>
  Object.entries(data).reduce((n, [k, v]) => n + escapedBytes(k) + escapedBytes(v), 0);

describe("the ring's encoded size", () => {
  it("the fixed fields' room covers the largest real ring exactly", () => {
    const worst: PushJob = {
      type: "ring",
      call_id: "x".repeat(128),
      uid: "bob",
      caller_id: CALLER,
      caller_name: "\u0001".repeat(80), // cut to 64, each escaped as \u0001 (6 bytes)
      call_type: 2,
      expires_at: Date.UTC(2030, 0, 1),
      push: { title: "t", content: fill(1000, "名"), payload: fill(room, '"') },
    };
    const data = pushData(worst, Date.UTC(2030, 0, 1));
    expect(fcmCount(data)).toBe(FCM_DATA_LIMIT);
    expect(fcmDataBytes(worst.push!, CALLER)).toBe(FCM_DATA_LIMIT);
    expect(Buffer.byteLength(JSON.stringify(data))).toBe(apnsPayloadBytes(worst.push!, CALLER));
    // At FCM's limit the VoIP body stays under APNs' (FCM binds first).
    expect(apnsPayloadBytes(worst.push!, CALLER)).toBeLessThanOrEqual(APNS_PAYLOAD_LIMIT);
  });

  for (const [name, unit] of [
    ["ASCII", "a"],
    ["escaped quotes", '"'],
    ["escaped backslashes", "\\"],
    ["CJK (3 bytes each)", "名"],
    ["emoji (4 bytes each)", "📞"],
  ] as const) {
    it(`${name}: fits at the exact limit, refused one byte over`, () => {
      const at = { title: "", content: "", payload: fill(room, unit) };
      expect(escapedBytes(at.payload)).toBe(room);
      expect(pushTooBig(at, CALLER)).toBeNull();
      expect(() => checkPushSize(at, CALLER)).not.toThrow();
      const over = { ...at, payload: at.payload + "a" };
      expect(pushTooBig(over, CALLER)).toMatch(
        /4097 bytes .* over FCM's 4096: shorten .* by 1 byte/,
      );
      expect(() => checkPushSize(over, CALLER)).toThrow(
        expect.objectContaining({
          kind: "invalid_argument",
          details: { field: "push" },
          message: expect.stringMatching(/^push: /),
        }),
      );
    });
  }

  it("the caller's title and content are never sent, so never count; the caller's id does", () => {
    const split = { title: fill(1000, "名"), content: fill(1000, '"'), payload: fill(room, "a") };
    expect(pushTooBig(split, CALLER)).toBeNull();
    expect(pushTooBig(split, CALLER + "x")).not.toBeNull(); // a longer uid leaves less room
    expect(checkPushSize(undefined, CALLER)).toBeUndefined();
  });
});

/**
 * Refusals that teach: every enum and range error names the allowed values, and the busy
 * refusal names the state the user is in (docs/protocol.md#busy).
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { validationError } from "../../functions/src/adapters/callable/httpsErrors.js";
import { busyRefusal } from "../../functions/src/core/admission.js";
import {
  acceptCallSchema,
  cancelCallSchema,
  declineCallSchema,
  explainIssue,
  listCallsSchema,
  registerDeviceSchema,
  startCallSchema,
} from "../../functions/src/model/commands.js";
import { start, withState } from "./fixtures.js";

/** The message a client sees for `data`, as the callable wrapper (callable/validated.ts) parses it. */
function refusal(schema: z.ZodType, data: unknown): string {
  const parsed = schema.safeParse(data, { error: explainIssue });
  if (parsed.success) throw new Error(`accepted ${JSON.stringify(data)}`);
  return validationError(parsed.error).message;
}

const call = { callees: [{ id: "bob" }], type: 1 };

describe("validation refusals name what is allowed", () => {
  it.each([
    ["type a word", { ...call, type: "video" }, "type: must be 1 (voice) or 2 (video)"],
    ["type 3", { ...call, type: 3 }, "type: must be 1 (voice) or 2 (video)"],
    ["type missing", { callees: call.callees }, "type: must be 1 (voice) or 2 (video)"],
    ["mode unknown", { ...call, mode: "party" }, 'mode: must be one of "common", "advanced"'],
    [
      "timeout too long",
      { ...call, timeout: 601 },
      "timeout: must be a whole number of seconds, from 1 to 600",
    ],
    [
      "timeout a fraction",
      { ...call, timeout: 1.5 },
      "timeout: must be a whole number of seconds, from 1 to 600",
    ],
    [
      "timeout a string",
      { ...call, timeout: "60" },
      "timeout: must be a whole number of seconds, from 1 to 600",
    ],
    ["no callees", { ...call, callees: [] }, "callees: must list at least 1 callee"],
    [
      // The schema's ceiling; RINGBACK_MAX_INVITEES (default 9) binds in the adapter.
      "51 callees",
      { ...call, callees: Array.from({ length: 51 }, (_, i) => ({ id: `u${i}` })) },
      "callees: must list at most 50 callees",
    ],
    [
      "a callee name too long",
      { ...call, callees: [{ id: "bob", name: "n".repeat(257) }] },
      "callees.0.name: must be at most 256 characters",
    ],
    [
      "not_received_check a string",
      { ...call, not_received_check: "yes" },
      'not_received_check: must be true or false, not "yes"',
    ],
    [
      "an unknown field",
      { ...call, video: true },
      "(root): unknown field video; allowed: call_id, caller, callees, type, mode, timeout, " +
        "extended_data, push, not_received_check, device_id",
    ],
  ])("startCall: %s", (_label, data, message) => {
    expect(refusal(startCallSchema, data)).toBe(message);
  });

  it("declineCall's type names both kinds of decline", () => {
    expect(refusal(declineCallSchema, { call_id: "c1", type: "busy" })).toBe(
      "type: must be 1 (declined) or 2 (busy)",
    );
  });

  it("listCalls' count names its range", () => {
    expect(refusal(listCallsSchema, { count: 0 })).toBe(
      "count: must be a whole number of calls, 1 or more",
    );
  });

  it("registerDevice's platform names the platforms", () => {
    const data = { device_id: "d1", platform: "windows" };
    expect(refusal(registerDeviceSchema, data)).toBe(
      'platform: must be one of "ios", "android", "web"',
    );
  });

  it("a missing field is required; a string of the wrong length says its bounds", () => {
    expect(refusal(acceptCallSchema, {})).toBe("call_id: is required");
    expect(refusal(acceptCallSchema, { call_id: "c1", device_id: "" })).toBe(
      "device_id: must not be empty",
    );
    expect(refusal(cancelCallSchema, { call_id: "c1", callee_ids: [] })).toBe(
      "callee_ids: must have at least 1 item",
    );
  });
});

describe("the busy refusal names the state the user is in", () => {
  const ringing = start(["bob"]); // alice calls bob: alice `calling`, bob `ringing`
  it.each([
    ["bob", ringing, "ringing", "Your phone is ringing", "accept or decline that call"],
    ["alice", ringing, "calling", "You are calling someone", "cancel that call"],
    [
      "bob",
      withState(ringing, "bob", "accepted"),
      "in_call",
      "You are in a call",
      "end or quit that call",
    ],
  ])("%s, %s in call c1", (uid, holder, status, where, wayOut) => {
    const e = busyRefusal(holder, uid, "start");
    expect([e.kind, e.reason, e.details]).toEqual([
      "failed_precondition",
      "busy",
      { call_id: "c1", status },
    ]);
    expect(e.message).toBe(
      `${where} (status ${status}, call c1): ${wayOut} before you start a call.`,
    );
  });
});

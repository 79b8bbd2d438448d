/** Malformed input, field by field: `invalid-argument` naming the field, and nothing written. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { footprint } from "../support/admin.js";
import { closeAll, newUser, type TestUser } from "../support/clients.js";
import { expectCallError } from "../support/expect.js";

afterAll(closeAll);

let alice: TestUser;
let bob: TestUser;
let callId: string;
beforeAll(async () => {
  [alice, bob] = await Promise.all([newUser("alice"), newUser("bob")]);
  ({ call_id: callId } = await alice.call<{ call_id: string }>("startCall", {
    callees: [{ id: bob.uid }],
    type: 1,
    timeout: 600, // rings through the whole file, however slow the functions' cold starts are
  }));
  await bob.waitState((s) => s?.status === "ringing", "ringing");
});
// Alice keeps her call alive, as an app does (every heartbeat_interval): the file can take
// longer than the heartbeat timeout on a loaded machine. Each footprint is taken after it.
beforeEach(async () => {
  await alice.call("heartbeat", { call_id: callId });
});

type Case = [
  label: string,
  body: (valid: Record<string, unknown>, me: string) => unknown,
  field: string,
];

const big = "x".repeat(4097);
const startCases: Case[] = [
  ["no body", () => null, "callees"],
  ["body not an object", () => "call me", "(root)"],
  ["unknown field", (v) => ({ ...v, admin: true }), "(root)"],
  ["call_id with a slash", (v) => ({ ...v, call_id: "a/b" }), "call_id"],
  ["call_id too long", (v) => ({ ...v, call_id: "c".repeat(129) }), "call_id"],
  ["call_id a number", (v) => ({ ...v, call_id: 42 }), "call_id"],
  // Found by the fuzz test: Firestore reserves ids like __x__ (it answered `internal`).
  ["call_id reserved", (v) => ({ ...v, call_id: "__reserved__" }), "call_id"],
  ["caller not an object", (v) => ({ ...v, caller: "me" }), "caller"],
  ["caller without id", (v) => ({ ...v, caller: { name: "A" } }), "caller.id"],
  [
    "caller name too long",
    (v) => ({ ...v, caller: { id: alice.uid, name: "n".repeat(257) } }),
    "caller.name",
  ],
  ["callees missing", ({ callees: _c, ...v }) => v, "callees"],
  ["callees empty", (v) => ({ ...v, callees: [] }), "callees"],
  [
    "ten callees",
    (v) => ({ ...v, callees: Array.from({ length: 10 }, (_, i) => ({ id: `u${i}` })) }),
    "callees",
  ],
  ["callees repeated", (v) => ({ ...v, callees: [{ id: bob.uid }, { id: bob.uid }] }), "callees"],
  ["callee is the caller", (v, me) => ({ ...v, callees: [{ id: me }] }), "callees"],
  ["callee id empty", (v) => ({ ...v, callees: [{ id: "" }] }), "callees.0.id"],
  ["callee id with a slash", (v) => ({ ...v, callees: [{ id: "a/b" }] }), "callees.0.id"],
  ["callee id reserved", (v) => ({ ...v, callees: [{ id: "__x__" }] }), "callees.0.id"],
  [
    "callee id with a control character",
    (v) => ({ ...v, callees: [{ id: "a\u0000b" }] }),
    "callees.0.id",
  ],
  ["callee extra field", (v) => ({ ...v, callees: [{ id: bob.uid, role: "x" }] }), "callees.0"],
  ["type missing", ({ type: _t, ...v }) => v, "type"],
  ["type 3", (v) => ({ ...v, type: 3 }), "type"],
  ["type a string", (v) => ({ ...v, type: "1" }), "type"],
  ["mode unknown", (v) => ({ ...v, mode: "party" }), "mode"],
  ["timeout 0", (v) => ({ ...v, timeout: 0 }), "timeout"],
  ["timeout 601", (v) => ({ ...v, timeout: 601 }), "timeout"],
  ["timeout fractional", (v) => ({ ...v, timeout: 1.5 }), "timeout"],
  ["extended_data over 4 KiB", (v) => ({ ...v, extended_data: big }), "extended_data"],
  ["extended_data not a string", (v) => ({ ...v, extended_data: { a: 1 } }), "extended_data"],
  ["push extra field", (v) => ({ ...v, push: { title: "t", sound: "x" } }), "push"],
  ["push title a number", (v) => ({ ...v, push: { title: 1 } }), "push.title"],
  [
    "not_received_check a string",
    (v) => ({ ...v, not_received_check: "yes" }),
    "not_received_check",
  ],
];

describe("startCall: a refusal names what is allowed", () => {
  it.each([
    [{ type: "video" }, "type: must be 1 (voice) or 2 (video)"],
    [{ type: 1, mode: "party" }, 'mode: must be one of "common", "advanced"'],
    [{ type: 1, timeout: 900 }, "timeout: must be a whole number of seconds, from 1 to 600"],
  ])("%j", async (over, message) => {
    const err = await expectCallError(
      alice.call("startCall", { callees: [{ id: bob.uid }], ...over }),
      "invalid-argument",
      "invalid_argument",
    );
    expect(err.message).toContain(message); // the web SDK may append the HTTP status
  });
});

describe("startCall", () => {
  for (const [label, make, field] of startCases) {
    it(`${label} → invalid-argument on ${field}`, async () => {
      const carol = await newUser("carol");
      const valid = { callees: [{ id: bob.uid }], type: 1 };
      const before = await footprint([carol.uid, bob.uid, alice.uid]);
      const err = await expectCallError(
        carol.call("startCall", make(valid, carol.uid)),
        "invalid-argument",
        "invalid_argument",
      );
      expect(err.details?.field).toBe(field);
      expect(err.message).toContain(field);
      expect(await footprint([carol.uid, bob.uid, alice.uid])).toBe(before);
    });
  }
});

const commandCases: [name: string, valid: () => Record<string, unknown>, cases: Case[]][] = [
  [
    "acceptCall",
    () => ({ call_id: callId }),
    [
      ["call_id missing", () => ({}), "call_id"],
      ["call_id empty", () => ({ call_id: "" }), "call_id"],
      ["call_id an array", () => ({ call_id: [callId] }), "call_id"],
      ["extended_data over 4 KiB", (v) => ({ ...v, extended_data: big }), "extended_data"],
      ["device_id empty", (v) => ({ ...v, device_id: "" }), "device_id"],
      ["unknown field", (v) => ({ ...v, state: "accepted" }), "(root)"],
    ],
  ],
  [
    "declineCall",
    () => ({ call_id: callId, type: 1 }),
    [
      ["type missing", ({ type: _t, ...v }) => v, "type"],
      ["type 0", (v) => ({ ...v, type: 0 }), "type"],
      ["caller_id a number", (v) => ({ ...v, caller_id: 7 }), "caller_id"],
      ["extended_data null", (v) => ({ ...v, extended_data: null }), "extended_data"],
    ],
  ],
  [
    "cancelCall",
    () => ({ call_id: callId }),
    [
      [
        "callee_id and callee_ids",
        (v) => ({ ...v, callee_id: bob.uid, callee_ids: [bob.uid] }),
        "callee_ids",
      ],
      ["callee_ids empty", (v) => ({ ...v, callee_ids: [] }), "callee_ids"],
      ["callee_ids repeated", (v) => ({ ...v, callee_ids: [bob.uid, bob.uid] }), "callee_ids"],
      ["callee_id with a slash", (v) => ({ ...v, callee_id: "a/b" }), "callee_id"],
    ],
  ],
  ["endCall", () => ({ call_id: callId }), [["id a number", (v) => ({ ...v, id: 5 }), "id"]]],
  [
    "heartbeat",
    () => ({ call_id: callId }),
    [["call_id with a space", () => ({ call_id: "a b" }), "call_id"]],
  ],
  [
    "inviteToCall",
    () => ({ call_id: callId, callees: [{ id: bob.uid }] }),
    [
      ["callees missing", ({ callees: _c, ...v }) => v, "callees"],
      ["callees empty", (v) => ({ ...v, callees: [] }), "callees"],
      [
        "ten callees",
        (v) => ({ ...v, callees: Array.from({ length: 10 }, (_, i) => ({ id: `u${i}` })) }),
        "callees",
      ],
      ["callee id a number", (v) => ({ ...v, callees: [{ id: 1 }] }), "callees.0.id"],
      ["unknown field", (v) => ({ ...v, mode: "advanced" }), "(root)"],
    ],
  ],
  [
    "joinCall",
    () => ({ call_id: callId }),
    [
      ["device_id too long", (v) => ({ ...v, device_id: "d".repeat(129) }), "device_id"],
      ["extended_data a number", (v) => ({ ...v, extended_data: 1 }), "extended_data"],
    ],
  ],
  [
    "quitCall",
    () => ({ call_id: callId }),
    [
      ["call_id missing", () => ({}), "call_id"],
      ["extended_data over 4 KiB", (v) => ({ ...v, extended_data: big }), "extended_data"],
    ],
  ],
];

describe("commands", () => {
  for (const [name, valid, cases] of commandCases) {
    for (const [label, make, field] of cases) {
      it(`${name}: ${label} → invalid-argument on ${field}`, async () => {
        const actor = name === "cancelCall" || name === "endCall" ? alice : bob;
        const before = await footprint([alice.uid, bob.uid]);
        const err = await expectCallError(
          actor.call(name, make(valid(), actor.uid)),
          "invalid-argument",
          "invalid_argument",
        );
        expect(err.details?.field).toBe(field);
        expect(await footprint([alice.uid, bob.uid])).toBe(before);
      });
    }
  }

  it("the call is untouched by all of it and still rings", async () => {
    expect(bob.state()).toMatchObject({ status: "ringing", call_id: callId });
  });
});

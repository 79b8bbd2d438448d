/**
 * Hostile input: every callable, fuzzed with generated malformed payloads (fast-check). Each
 * payload is a valid body with one thing broken: a field of the wrong type, a string too
 * long or of the wrong shape (unicode, slashes), an array of 10,000 items, deep nesting, a
 * missing required field, or an extra field (prototype-pollution keys among them). Every one
 * must be answered `invalid-argument` (never `internal`), and write nothing anywhere in the
 * database (every document is compared before and after). The bytes go
 * to the callable as raw HTTP with the user's ID token, exactly as generated.
 * RINGBACK_FUZZ_RUNS sets how many per callable (CI: 25; `npm run stress`: more).
 * callApi, the HTTP door, gets the same payloads for its six commands: each must be answered
 * HTTP 400 with code 40001, writing nothing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearDatabase, databaseFootprint } from "../support/admin.js";
import { ring, users } from "../support/calls.js";
import { getAuth } from "firebase/auth";
import { clearListening, closeAll, type TestUser } from "../support/clients.js";
import { env } from "../support/env.js";
import { api } from "../support/http.js";

afterAll(closeAll);

const RUNS = Number(process.env.RINGBACK_FUZZ_RUNS ?? 25);
let alice: TestUser, bob: TestUser;
let callId: string;
let tried = 0;

beforeAll(async () => {
  [alice, bob] = await users("alice", "bob");
});

// A fresh call for each callable: its first deadline (alice's heartbeat, 60 s) is far past
// the callable's runs, so nothing but a malformed request could write while they go on.
beforeEach(async () => {
  await clearListening([alice, bob], clearDatabase);
  ({ call_id: callId } = await ring(alice, bob, { mode: "advanced", timeout: 600 }));
});

let triedHttp = 0;
afterAll(() => {
  console.log(`fuzz: ${tried} malformed inputs, each invalid-argument, nothing written`);
  console.log(`fuzz: ${triedHttp} malformed callApi bodies, each 400 40001, nothing written`);
});

// Values of the wrong kind for any field.
const notString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);
const notNumber = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
const notBool = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.boolean(), { maxLength: 2 }),
);
const hugeString = fc.integer({ min: 4097, max: 20_000 }).map((n) => "é".repeat(n));
const badId = fc.oneof(
  fc.constant(""),
  fc.string({ minLength: 1, maxLength: 8 }).map((s) => `${s}/${s}`),
  fc.string({ minLength: 1, maxLength: 8 }).map((s) => ` ${s}\n`),
  fc.constant("__proto__ bad"),
  fc.integer({ min: 129, max: 600 }).map((n) => "x".repeat(n)),
  fc.constantFrom("😀/😀", "a b", "\u0000", "../etc", "__reserved__"),
);
const bigArray = fc.constant(Array.from({ length: 10_000 }, (_, i) => ({ id: `u${i}` })));
const deep = fc.integer({ min: 50, max: 400 }).map((depth) => {
  let o: unknown = "leaf";
  for (let i = 0; i < depth; i++) o = { nested: o };
  return o;
});
const extraKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "state", "users", "admin", "ended_by"),
  fc.string({ minLength: 1, maxLength: 12 }),
);

type Spec = {
  valid: () => Record<string, unknown>;
  bad: Record<string, fc.Arbitrary<unknown>>;
  required: string[];
};

const callees = (field: fc.Arbitrary<unknown>) => field.map((v) => [{ id: v }]);
const SPECS: Record<string, Spec> = {
  startCall: {
    valid: () => ({ callees: [{ id: bob.uid }], type: 1 }),
    bad: {
      callees: fc.oneof(
        notString.filter((v) => !Array.isArray(v) || v.length === 0),
        bigArray,
        callees(badId),
        deep,
      ),
      type: fc.oneof(notNumber, fc.integer({ min: 3, max: 99 })),
      mode: fc.oneof(notString, fc.constantFrom("party", "COMMON", "")),
      timeout: fc.oneof(
        notNumber,
        fc.integer({ min: 601 }),
        fc.integer({ max: 0 }),
        fc.double({ min: 1.1, max: 2.9, noInteger: true }),
      ),
      extended_data: fc.oneof(notString, hugeString),
      call_id: fc.oneof(notString, badId),
      not_received_check: notBool,
      caller: fc.oneof(fc.string(), fc.record({ id: badId })),
      push: fc.oneof(fc.string(), fc.record({ title: notString }), deep),
    },
    required: ["callees", "type"],
  },
  ...Object.fromEntries(
    ["cancelCall", "acceptCall", "endCall", "heartbeat", "quitCall", "joinCall", "ackCall"].map(
      (name) => [
        name,
        {
          valid: () => ({ call_id: callId }),
          bad: {
            call_id: fc.oneof(notString, badId, deep),
            id: fc.oneof(notString, badId),
          },
          required: ["call_id"],
        },
      ],
    ),
  ),
  declineCall: {
    valid: () => ({ call_id: callId, type: 1 }),
    bad: {
      call_id: fc.oneof(notString, badId),
      type: fc.oneof(notNumber, fc.integer({ min: 3 })),
      extended_data: fc.oneof(notString, hugeString),
      caller_id: fc.oneof(notString, badId),
    },
    required: ["call_id", "type"],
  },
  inviteToCall: {
    valid: () => ({ call_id: callId, callees: [{ id: bob.uid }] }),
    bad: {
      call_id: fc.oneof(notString, badId),
      callees: fc.oneof(
        bigArray,
        callees(badId),
        notString.filter((v) => !Array.isArray(v) || v.length === 0),
        deep,
      ),
    },
    required: ["call_id", "callees"],
  },
  listCalls: {
    valid: () => ({}),
    bad: {
      count: fc.oneof(
        notNumber,
        fc.integer({ max: 0 }),
        fc.double({ min: 0.1, max: 9.9, noInteger: true }),
      ),
      next_flag: fc.oneof(
        notString,
        fc.constant("x".repeat(600)),
        fc.string({ minLength: 1, maxLength: 20 }).map((s) => `!${s}`),
      ),
    },
    required: [],
  },
  registerDevice: {
    valid: () => ({ device_id: "d1", platform: "ios" }),
    bad: {
      device_id: fc.oneof(notString, badId),
      platform: fc.oneof(notString, fc.constantFrom("nokia", "IOS", "")),
      fcm_token: fc.oneof(notString, fc.constant("")),
    },
    required: ["device_id", "platform"],
  },
  unregisterDevice: {
    valid: () => ({ device_id: "d1" }),
    bad: { device_id: fc.oneof(notString, badId) },
    required: ["device_id"],
  },
};

/**
 * Calls a callable with exactly these JSON bytes, as any HTTP client could (the web SDK would
 * drop some hostile keys, such as "__proto__", before they reach the server). Returns the
 * callable protocol's error status, or "OK".
 */
async function rawCall(user: TestUser, name: string, json: string): Promise<string> {
  const token = await getAuth(user.app).currentUser?.getIdToken();
  const res = await fetch(`${env.functionsOrigin}/${env.projectId}/us-central1/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: `{"data":${json}}`,
  });
  const answer = (await res.json()) as { error?: { status?: string } };
  return answer.error?.status ?? "OK";
}

/** One broken body for `spec`: a bad field, a missing required one, or an extra key. */
function malformed(spec: Spec): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.keys(spec.bad);
  const badField = fc
    .constantFrom(...fields)
    .chain((f) => (spec.bad[f] as fc.Arbitrary<unknown>).map((v) => ({ ...spec.valid(), [f]: v })));
  const missing = spec.required.length
    ? fc.constantFrom(...spec.required).map((f) => {
        const body = spec.valid();
        delete body[f];
        return body;
      })
    : badField;
  const extra = fc
    .tuple(extraKey, fc.anything({ maxDepth: 2 }))
    .filter(([k]) => !(k in spec.valid()) && !(k in spec.bad))
    .map(([k, v]) => {
      const body = spec.valid();
      Object.defineProperty(body, k, {
        value: v,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      return body;
    });
  return fc.oneof(
    { weight: 6, arbitrary: badField },
    { weight: 1, arbitrary: missing },
    { weight: 2, arbitrary: extra },
  );
}

describe("every callable refuses malformed input with invalid-argument, writing nothing", () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(`${name}`, async () => {
      const actor = name === "startCall" || name === "cancelCall" ? alice : bob;
      const before = await databaseFootprint();
      await fc.assert(
        fc.asyncProperty(malformed(spec), async (body) => {
          const json = JSON.stringify(body); // "__proto__" and friends stay own keys
          // (a generated value JSON cannot carry would leave a valid body: not a case)
          fc.pre(Object.keys(JSON.parse(json) as object).length === Object.keys(body).length);
          tried += 1;
          expect(await rawCall(actor, name, json), `${name} ${json.slice(0, 300)}`).toBe(
            "INVALID_ARGUMENT",
          );
        }),
        { numRuns: RUNS },
      );
      expect(await databaseFootprint()).toBe(before);
    }, 300_000);
  }
});

/** callApi's commands and the callables they run. */
const HTTP_COMMANDS: Record<string, string> = {
  start_call: "startCall",
  cancel_call: "cancelCall",
  accept_call: "acceptCall",
  decline_call: "declineCall",
  end_call: "endCall",
  heartbeat: "heartbeat",
};

describe("callApi refuses the same malformed bodies with 400 and code 40001, writing nothing", () => {
  for (const [command, callable] of Object.entries(HTTP_COMMANDS)) {
    it(`${command}`, async () => {
      const spec = SPECS[callable] as Spec;
      const actor = command === "start_call" || command === "cancel_call" ? alice : bob;
      const before = await databaseFootprint();
      await fc.assert(
        fc.asyncProperty(malformed(spec), async (body) => {
          const json = JSON.stringify(body);
          fc.pre(Object.keys(JSON.parse(json) as object).length === Object.keys(body).length);
          triedHttp += 1;
          const answer = await api(actor, command, json);
          expect([answer.status, answer.json?.code], `${command} ${json.slice(0, 300)}`).toEqual([
            400, 40001,
          ]);
        }),
        { numRuns: RUNS },
      );
      expect(await databaseFootprint()).toBe(before);
    }, 300_000);
  }
});

/**
 * Input schemas of every callable (docs/protocol.md#commands). Objects are strict:
 * an unknown field is an error, never silently ignored. Firebase-free (model/): the limits
 * here are constants; params.ts checks the param-driven ones against them.
 */
import { z } from "zod";
import { MAX_INVITEES_CEILING } from "./domain.js";
import type { Same } from "./same.js";
import type {
  AcceptCallRequest,
  CancelCallRequest,
  ListCallsRequest,
  RegisterDeviceRequest,
  StartCallRequest,
} from "./wire.js";

// Declared in domain.ts (no zod): params.ts reads it, and must not load zod at a cold start.
export { MAX_INVITEES_CEILING };

/** A whole number from `min` to `max`: every refusal of it (type, fraction, range) says so. */
const wholeNumber = (min: number, max: number, unit: string, range = `from ${min} to ${max}`) => {
  const error = `must be a whole number of ${unit}, ${range}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/** 1 voice, 2 video (ZEGO Call's numbering); a refusal names both. */
const callTypeSchema = z.literal([1, 2], { error: "must be 1 (voice) or 2 (video)" });

/** A Firebase Auth uid, usable as a Firestore document id. */
export const uidSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/\s]+$/, "must not contain '/' or white space")
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters")
  .refine((s) => s !== "." && s !== ".." && !/^__.*__$/.test(s), "is a reserved id");

/** A call id a client may choose (startCall's `call_id`). */
export const chosenCallIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, "must be 1 to 128 letters, digits, '_' or '-'")
  // Firestore reserves document ids of the form __name__ (found by the fuzz test: such an
  // id reached Firestore and came back as `internal`).
  .refine((s) => !/^__.*__$/.test(s), "is a reserved id");

/**
 * Any call's id: a chosen or server-made one, or one the server scoped to its caller
 * (`<chosen>.<22 characters>`, adapters/calls/ids.ts), which no client can choose.
 */
export const callIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]{1,128}(\.[A-Za-z0-9_-]{22})?$/,
    "must be 1 to 128 letters, digits, '_' or '-'",
  )
  .refine((s) => !/^__.*__$/.test(s), "is a reserved id");

const nameSchema = z.string().max(256);

export const MAX_EXTENDED_DATA_BYTES = 4096;
const utf8 = new TextEncoder();
const extendedDataSchema = z
  .string()
  .refine(
    (s) => utf8.encode(s).length <= MAX_EXTENDED_DATA_BYTES,
    `must be at most ${MAX_EXTENDED_DATA_BYTES} bytes`,
  );

/** The schema's ceiling; the param RINGBACK_MAX_INVITEES (default 9) binds (callees.ts). */
export const MAX_CALLEES = MAX_INVITEES_CEILING;

const calleeSchema = z.strictObject({ id: uidSchema, name: nameSchema.optional() });

const calleesSchema = z
  .array(calleeSchema)
  .min(1, "must list at least 1 callee")
  .max(MAX_CALLEES, `must list at most ${MAX_CALLEES} callees`)
  .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, "must be distinct users");

export const startCallSchema = z.strictObject({
  call_id: chosenCallIdSchema.optional(),
  caller: z.strictObject({ id: uidSchema, name: nameSchema.optional() }).optional(),
  callees: calleesSchema,
  type: callTypeSchema,
  mode: z.enum(["common", "advanced"]).default("common"),
  timeout: wholeNumber(1, 600, "seconds").optional(),
  extended_data: extendedDataSchema.optional(),
  push: z
    .strictObject({
      title: z.string().max(256).default(""),
      content: z.string().max(1024).default(""),
      payload: z.string().max(MAX_EXTENDED_DATA_BYTES).default(""),
    })
    .optional(),
  not_received_check: z.boolean().optional(),
  /** The caller's device: its active device in this call (docs/protocol.md#one-device-answers). */
  device_id: z.string().min(1).max(128).optional(),
});

/** `id`: the acting user, as ZEGO Call's protocol sends it; must be the signed-in user. */
const actingUser = { id: uidSchema.optional() };

export const cancelCallSchema = z
  .strictObject({
    call_id: callIdSchema,
    ...actingUser,
    callee_id: uidSchema.optional(),
    callee_ids: z
      .array(uidSchema)
      .min(1)
      .max(MAX_CALLEES)
      .refine((ids) => new Set(ids).size === ids.length, "must be distinct users")
      .optional(),
  })
  .refine((v) => v.callee_id === undefined || v.callee_ids === undefined, {
    message: "give callee_id or callee_ids, not both",
    path: ["callee_ids"],
  });

export const acceptCallSchema = z.strictObject({
  call_id: callIdSchema,
  ...actingUser,
  extended_data: extendedDataSchema.optional(),
  device_id: z.string().min(1).max(128).optional(),
});

export const declineCallSchema = z.strictObject({
  call_id: callIdSchema,
  ...actingUser,
  /** The device that answered (recorded in the call). */
  device_id: z.string().min(1).max(128).optional(),
  /** The call's inviter, as ZEGO Call's protocol sends it. */
  caller_id: uidSchema.optional(),
  /** 1 declined by the user, 2 busy. */
  type: z.literal([1, 2], { error: "must be 1 (declined) or 2 (busy)" }),
  extended_data: extendedDataSchema.optional(),
});

export const endCallSchema = z.strictObject({ call_id: callIdSchema, ...actingUser });
export const heartbeatSchema = z.strictObject({
  call_id: callIdSchema,
  ...actingUser,
  /** The device that beats: only the active device keeps the call alive. */
  device_id: z.string().min(1).max(128).optional(),
});

export const inviteToCallSchema = z.strictObject({
  call_id: callIdSchema,
  ...actingUser,
  callees: calleesSchema,
});

const deviceIdSchema = z.string().min(1).max(128);

export const joinCallSchema = z.strictObject({
  call_id: callIdSchema,
  ...actingUser,
  device_id: deviceIdSchema.optional(),
  extended_data: extendedDataSchema.optional(),
});

export const quitCallSchema = z.strictObject({
  call_id: callIdSchema,
  ...actingUser,
  extended_data: extendedDataSchema.optional(),
});

export const listCallsSchema = z.strictObject({
  /** At least 1, default 20; more than the page limit (param, default 100) is cut to it. */
  count: wholeNumber(1, Number.MAX_SAFE_INTEGER, "calls", "1 or more").default(20),
  /** The previous page's next_flag; "" or absent for the first page. */
  next_flag: z.string().max(512).optional(),
});

export const ackCallSchema = z.strictObject({
  call_id: callIdSchema,
  ...actingUser,
  device_id: deviceIdSchema.optional(),
});

const tokenSchema = z.string().min(1).max(4096);

export const registerDeviceSchema = z.strictObject({
  ...actingUser,
  device_id: callIdSchema,
  platform: z.enum(["ios", "android", "web"]),
  fcm_token: tokenSchema.optional(),
  voip_token: tokenSchema.optional(),
  /** The APNs environment of the build that made the VoIP token; absent: keep the stored one. */
  apns_env: z.enum(["sandbox", "production"]).optional(),
});

export const unregisterDeviceSchema = z.strictObject({
  ...actingUser,
  device_id: callIdSchema,
});

/** blockUser / unblockUser: the user who may (no longer) ring the caller. */
export const blockUserSchema = z.strictObject({ ...actingUser, user_id: uidSchema });

/**
 * Plain wording for zod's own issues, naming every allowed value and bound (a schema's own
 * message, as for `type`, wins over this): pass as `safeParse(data, { error: explainIssue })`.
 */
export function explainIssue(issue: z.core.$ZodRawIssue): string | undefined {
  const plural = (n: number | bigint, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
  switch (issue.code) {
    case "invalid_type": {
      if (issue.input === undefined) return "is required";
      const expected = TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`;
      return `must be ${expected}, not ${describe(issue.input)}`;
    }
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_big": {
      const max = issue.maximum as number;
      if (issue.origin === "string") return `must be at most ${plural(max, "character")}`;
      if (issue.origin === "array") return `must have at most ${plural(max, "item")}`;
      return `must be at most ${max}`;
    }
    case "too_small": {
      const min = issue.minimum as number;
      if (issue.origin === "string") {
        return min === 1 ? "must not be empty" : `must be at least ${plural(min, "character")}`;
      }
      if (issue.origin === "array") return `must have at least ${plural(min, "item")}`;
      return `must be at least ${min}`;
    }
    case "unrecognized_keys": {
      const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def
        ?.shape;
      const allowed = shape ? `; allowed: ${Object.keys(shape).join(", ")}` : "";
      return `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.join(", ")}${allowed}`;
    }
    default:
      return undefined; // zod's own message
  }
}

const TYPE_WORDS: Record<string, string> = {
  int: "a whole number",
  object: "an object",
  array: "a list",
  boolean: "true or false",
};

/** A value as a refusal quotes it: `"5"`, `1.5`, `true`, `null`, `a list`, `an object`. */
function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v !== null && typeof v === "object") return "an object";
  const json = JSON.stringify(v) ?? String(v);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/** What each callable's handler (and the core) receives: the schema's output, as is. */
export type StartCallInput = z.output<typeof startCallSchema>;
export type CancelCallInput = z.output<typeof cancelCallSchema>;
export type AcceptCallInput = z.output<typeof acceptCallSchema>;
export type HeartbeatInput = z.output<typeof heartbeatSchema>;
export type DeclineCallInput = z.output<typeof declineCallSchema>;
export type JoinCallInput = z.output<typeof joinCallSchema>;
export type QuitCallInput = z.output<typeof quitCallSchema>;
export type AckCallInput = z.output<typeof ackCallSchema>;

// The schemas accept exactly the requests the model declares for clients (wire.ts).
const _same: [
  Same<z.input<typeof startCallSchema>, StartCallRequest>,
  Same<z.input<typeof cancelCallSchema>, CancelCallRequest>,
  Same<z.input<typeof acceptCallSchema>, AcceptCallRequest>,
  Same<z.input<typeof listCallsSchema>, ListCallsRequest>,
  Same<z.input<typeof registerDeviceSchema>, RegisterDeviceRequest>,
] = [true, true, true, true, true];
void _same;

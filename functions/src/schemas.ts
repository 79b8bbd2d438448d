/**
 * Input schemas of every callable (docs/protocol.md#commands). Objects are strict:
 * an unknown field is an error, never silently ignored.
 */
import { z } from "zod";
import { MAX_INVITEES_CEILING } from "./params.js";

/** A Firebase Auth uid, usable as a Firestore document id. */
export const uidSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/\s]+$/, "must not contain '/' or white space")
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters")
  .refine((s) => s !== "." && s !== ".." && !/^__.*__$/.test(s), "is a reserved id");

export const callIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, "must be 1 to 128 letters, digits, '_' or '-'")
  // Firestore reserves document ids of the form __name__ (found by the fuzz test: such an
  // id reached Firestore and came back as `internal`).
  .refine((s) => !/^__.*__$/.test(s), "is a reserved id");

const nameSchema = z.string().max(256);

export const MAX_EXTENDED_DATA_BYTES = 4096;
const extendedDataSchema = z
  .string()
  .refine(
    (s) => Buffer.byteLength(s, "utf8") <= MAX_EXTENDED_DATA_BYTES,
    `must be at most ${MAX_EXTENDED_DATA_BYTES} bytes`,
  );

/** The schema's ceiling; the param RINGBACK_MAX_INVITEES (default 9) binds (callees.ts). */
export const MAX_CALLEES = MAX_INVITEES_CEILING;

const calleeSchema = z.strictObject({ id: uidSchema, name: nameSchema.optional() });

const calleesSchema = z
  .array(calleeSchema)
  .min(1)
  .max(MAX_CALLEES)
  .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, "must be distinct users");

export const startCallSchema = z.strictObject({
  call_id: callIdSchema.optional(),
  caller: z.strictObject({ id: uidSchema, name: nameSchema.optional() }).optional(),
  callees: calleesSchema,
  type: z.union([z.literal(1), z.literal(2)]),
  mode: z.enum(["common", "advanced"]).default("common"),
  timeout: z.number().int().min(1).max(600).optional(),
  extended_data: extendedDataSchema.optional(),
  push: z
    .strictObject({
      title: z.string().max(256).default(""),
      content: z.string().max(1024).default(""),
      payload: z.string().max(MAX_EXTENDED_DATA_BYTES).default(""),
    })
    .optional(),
  not_received_check: z.boolean().optional(),
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
  type: z.union([z.literal(1), z.literal(2)]),
  extended_data: extendedDataSchema.optional(),
});

export const endCallSchema = z.strictObject({ call_id: callIdSchema, ...actingUser });
export const heartbeatSchema = z.strictObject({ call_id: callIdSchema, ...actingUser });

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
  count: z.number().int().min(1).default(20),
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
});

export const unregisterDeviceSchema = z.strictObject({
  ...actingUser,
  device_id: callIdSchema,
});

/** What each callable's handler (and the core) receives: the schema's output, as is. */
export type StartCallInput = z.output<typeof startCallSchema>;
export type CancelCallInput = z.output<typeof cancelCallSchema>;
export type AcceptCallInput = z.output<typeof acceptCallSchema>;
export type DeclineCallInput = z.output<typeof declineCallSchema>;
export type InviteToCallInput = z.output<typeof inviteToCallSchema>;
export type JoinCallInput = z.output<typeof joinCallSchema>;
export type QuitCallInput = z.output<typeof quitCallSchema>;
export type AckCallInput = z.output<typeof ackCallSchema>;

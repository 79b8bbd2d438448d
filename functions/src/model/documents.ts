/**
 * The shapes of Ringback's stored documents, as zod schemas (no Firebase: shared by the
 * converters and anything else that reads what the server wrote). Every read is parsed, never
 * cast (docs/protocol.md#living-beside-the-apps-own-data):
 * - a call is Ringback's own: one that does not parse is an error naming its path;
 * - `users/{uid}` is shared with the app: only Ringback's five fields are read, each on its
 *   own, and a field that is missing or malformed reads as idle (so it is repaired by the
 *   next write, never crashed on).
 * Times are epoch milliseconds here; stored, they are Timestamps of either SDK.
 */
import { z } from "zod";
import type { Same } from "./same.js";
import {
  CALL_MODES,
  CALL_STATES,
  END_REASONS,
  USER_STATES,
  USER_STATUSES,
  type CallPrivate,
  type Incoming,
  type SharedCall,
  type SharedCallUser,
  type StartResult,
  type UserDoc,
} from "./domain.js";

/** A Firestore Timestamp of the admin or the web SDK (both have toMillis), as epoch ms. */
export const timestampMs = z
  .custom<{ toMillis(): number }>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      typeof (v as { toMillis?: unknown }).toMillis === "function",
    { message: "expected a Timestamp" },
  )
  .transform((t) => t.toMillis());

const optionalMs = timestampMs.optional();
const nullableMs = z.union([timestampMs, z.null()]);

export { END_REASONS, USER_STATES, USER_STATUSES };

const userRef = z.object({ id: z.string(), name: z.string() });
const callType = z.union([z.literal(1), z.literal(2)]);

export const storedCallUser = z.object({
  id: z.string(),
  name: z.string(),
  state: z.enum(USER_STATES),
  decline_type: z.union([z.literal(1), z.literal(2)]).optional(),
  extended_data: z.string().optional(),
  device_id: z.string().optional(),
  heartbeat_at: optionalMs,
  invited_by: z.string().optional(),
  deadline_at: optionalMs,
  receipt_deadline_at: optionalMs,
  logged_out: z.boolean().optional(),
  updated_at: timestampMs,
});

const startResult = z.object({
  call_id: z.string(),
  timeout: z.number(),
  deadline_at: z.string(),
  error_invitees: z.array(z.object({ id: z.string(), reason: z.literal("user_not_found") })),
});

/** `calls/{call_id}`: what every participant reads. */
export const storedCall = z.object({
  call_id: z.string(),
  caller: userRef,
  type: callType,
  mode: z.enum(CALL_MODES),
  state: z.enum(CALL_STATES),
  end_reason: z.enum(END_REASONS).optional(),
  ended_by: z.string().optional(),
  users: z.record(z.string(), storedCallUser),
  user_ids: z.array(z.string()),
  extended_data: z.string(),
  timeout: z.number(),
  heartbeat_interval: z.number(),
  created_at: timestampMs,
  deadline_at: timestampMs,
  connected_at: optionalMs,
  ended_at: optionalMs,
  next_deadline_at: nullableMs,
  task_at: nullableMs.optional(),
  version: z.number(),
  updated_at: timestampMs,
  not_received_check: z.boolean(),
  push: z.object({ title: z.string(), content: z.string(), payload: z.string() }).optional(),
  /** The sweep's index shard (derived from the call id on every write). */
  shard: z.number().optional(),
  /** How often the sweep failed to settle this call (its backoff, sweep.ts). */
  sweep_failures: z.number().optional(),
});

/** `calls/{call_id}/private/server`: what only the server reads of a call. */
export const storedCallPrivate = z.object({
  start_request_hash: z.string().optional(),
  start_result: startResult.optional(),
  users: z
    .record(
      z.string(),
      z.object({
        device_id: z.string().optional(),
        logged_out: z.boolean().optional(),
        undelivered: z.boolean().optional(),
        extended_data: z.string().optional(),
      }),
    )
    .default({}),
  /** Every user in order, undelivered invitees included (only when there are some). */
  all_user_ids: z.array(z.string()).optional(),
});

/** `ringback_ring_logs/{callee}`: the invitations delivered to a callee in the last minute. */
export const storedRingLog = z.object({
  rings: z.array(z.object({ from: z.string(), at: z.number() })),
});

const incoming = z.object({
  call_id: z.string(),
  caller: userRef,
  type: callType,
  deadline_at: timestampMs,
  extended_data: z.string(),
});

/**
 * Ringback's fields of `users/{uid}`, each parsed on its own: what is missing or malformed
 * reads as its idle value. Every other field of the document is the app's and is never read.
 */
export const storedUserFields = z.object({
  status: z.enum(USER_STATUSES).catch("idle"),
  call_id: z.string().nullable().catch(null),
  incoming: incoming.nullable().catch(null),
  device_id: z.string().nullable().catch(null),
  updated_at: timestampMs.catch(0),
});

/** `ringback_rate_limits/{uid}`: a caller's startCall token bucket. */
export const storedBucket = z.object({ tokens: z.number(), updated_at: timestampMs });

/**
 * `users/{uid}/devices/{device_id}`: a registered device's tokens (Ringback's own document,
 * read leniently: a malformed field reads as none and is repaired by the next registration).
 */
export const storedDevice = z.object({
  fcm_token: z.string().nullable().catch(null),
  voip_token: z.string().nullable().catch(null),
  apns_env: z.enum(["sandbox", "production"]).nullable().catch(null),
  registered_at: timestampMs.optional().catch(undefined),
  last_seen: timestampMs.catch(0),
});

/** `ringback_push_tokens/{hash}`: which device of which user holds a push token. */
export const storedTokenOwner = z.object({ uid: z.string(), device_id: z.string() });

/** The only fields Ringback reads or writes in `users/{uid}` (its field mask). */
export const USER_FIELDS = Object.keys(storedUserFields.shape) as (keyof z.infer<
  typeof storedUserFields
>)[];

/** The fields of a call's shared document (what a read of it asks for; see CALL_READ_MASK). */
export const CALL_FIELDS = Object.keys(storedCall.shape);

/** The fields of a call's private part. */
export const CALL_PRIVATE_FIELDS = Object.keys(storedCallPrivate.shape);

/**
 * Parses `users/{uid}` as Ringback sees it: its own fields only, a status that names no call
 * read as idle. Never throws: the document is shared with the app.
 */
export function parseUserFields(data: unknown): z.infer<typeof storedUserFields> {
  const d = storedUserFields.parse(typeof data === "object" && data !== null ? data : {});
  if (d.status === "idle" || d.call_id === null) {
    return { ...d, status: "idle", call_id: null, incoming: null };
  }
  return d;
}

/** A document of Ringback's own that does not parse: its path and what is wrong with it. */
export class UnreadableDocument extends Error {
  constructor(
    readonly path: string,
    issues: readonly z.core.$ZodIssue[],
  ) {
    super(
      `${path} is not a Ringback document: ` +
        issues
          .slice(0, 5)
          .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
          .join("; "),
    );
    this.name = "UnreadableDocument";
  }
}

/** Parses a document of Ringback's own, or throws UnreadableDocument naming `path`. */
export function parseOwn<S extends z.ZodType>(schema: S, path: string, data: unknown): z.infer<S> {
  const r = schema.safeParse(data);
  if (!r.success) throw new UnreadableDocument(path, r.error.issues);
  return r.data;
}

// The schemas read exactly the model's types (domain.ts): a field added to one and not to the
// other fails to compile here, so a read needs no cast.
const _same: [
  Same<Omit<z.output<typeof storedCall>, "shard">, SharedCall>,
  Same<z.output<typeof storedCallUser>, SharedCallUser>,
  Same<z.output<typeof startResult>, StartResult>,
  Same<z.output<typeof storedCallPrivate>, CallPrivate>,
  Same<z.output<typeof incoming>, Incoming>,
  Same<z.output<typeof storedUserFields>, UserDoc>,
] = [true, true, true, true, true, true];
void _same;

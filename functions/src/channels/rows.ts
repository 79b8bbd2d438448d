/**
 * The outbox of a channel that delivers without a task queue of its own (Eventarc): its rows
 * live in `ringback_channels/{channel}/ringback_outbox/{id}`, so that one composite index and
 * one TTL policy (collection id `ringback_outbox`, firestore.indexes.json) serve every such
 * channel, and adding one touches neither. Each row is sent after the commit by `sendRow`;
 * one that failed is taken up by the sweep (the channel's backstop, outbox.ts `resendRows`)
 * until it is sent or has failed `maxAttempts` times.
 */
import { Timestamp, type CollectionReference, type Firestore } from "firebase-admin/firestore";
import { CHANNEL_ROWS } from "../model/collections.js";
import { z } from "zod";
import {
  claimRow,
  outboxRow,
  outboxRowFields,
  timestamp,
  type OutboxRow,
  type RowSchema,
} from "./outbox.js";

export { CHANNEL_ROWS };

/** Channel `name`'s outbox. */
export const channelRows = (db: Firestore, name: string): CollectionReference =>
  db.collection(CHANNEL_ROWS.root).doc(name).collection(CHANNEL_ROWS.outbox);

/** Every field of a row but `status` and `expire_at` (the exemptions of print-config). */
export const CHANNEL_ROW_FIELDS = [
  "id",
  "call_id",
  "payload",
  "attempts",
  "error",
  "created_at",
  "shard",
  "unsent_since",
  "lease_until",
  "sent_at",
] as const;

export interface ChannelRow extends OutboxRow {
  /** The row's id: stable across retries, so what it sends can carry it as its own id. */
  id: string;
  call_id: string;
  status: "pending" | "sent" | "failed";
  /** What to send: the channel's own fields. */
  payload: Record<string, unknown>;
  attempts: number;
  /** Why the last attempt failed. */
  error?: string;
  sent_at?: Timestamp;
}

/** A stored row, parsed when read (its delivery, its backstop). */
export const channelRowSchema: RowSchema<ChannelRow> = z.object({
  ...outboxRowFields,
  id: z.string(),
  call_id: z.string(),
  status: z.enum(["pending", "sent", "failed"]),
  payload: z.record(z.string(), z.unknown()),
  attempts: z.number().int(),
  error: z.string().optional(),
  sent_at: timestamp.optional(),
});

/** A new row, for a change of call `callId` at `at` (epoch ms), kept `ttlMs`. */
export const channelRow = (
  id: string,
  callId: string,
  at: number,
  ttlMs: number,
  payload: Record<string, unknown>,
): ChannelRow => ({
  ...outboxRow(callId, at, ttlMs),
  status: "pending",
  id,
  call_id: callId,
  payload,
  attempts: 0,
});

/**
 * One attempt at sending row `id` of channel `name`: claimed with a lease (a second attempt
 * waits it out or finds it sent), sent by `send`, and recorded. A failed send is recorded and
 * thrown (deliverEffects tries again); the row is unsent again, for the backstop, until its
 * `maxAttempts`-th failure marks it `failed`. At least once: a row sent by an attempt that
 * died before recording it is sent again, under the same id.
 */
export async function sendRow(
  db: Firestore,
  name: string,
  id: string,
  opts: { leaseMs: number; maxAttempts: number },
  send: (row: ChannelRow) => Promise<void>,
): Promise<"sent" | "skipped"> {
  const ref = channelRows(db, name).doc(id);
  const got = await claimRow<ChannelRow, ChannelRow>(
    ref,
    channelRowSchema,
    Date.now(),
    ["pending"],
    (row, _tx, lease) => {
      lease(opts.leaseMs, { attempts: row.attempts + 1 });
      return { ...row, attempts: row.attempts + 1 };
    },
  );
  if (typeof got === "string") return "skipped"; // sent, failed, gone, or another attempt holds it
  try {
    await send(got);
  } catch (e) {
    const last = got.attempts >= opts.maxAttempts;
    await ref.update({
      status: last ? "failed" : "pending",
      lease_until: null,
      unsent_since: last ? null : Timestamp.now(),
      error: String(e),
    });
    throw e;
  }
  await ref.update({ status: "sent", lease_until: null, sent_at: Timestamp.now() });
  return "sent";
}

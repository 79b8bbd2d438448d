/**
 * The webhook outbox: one `ringback_webhook_events/{event_id}` document per callback event, written in
 * the same transaction as the change that caused it (so a rolled-back change sends nothing and
 * a function that dies after the commit loses nothing), then delivered from a task queue.
 * Server-only: the rules give clients no access. Kept `OUTBOX_TTL_MS` (a TTL policy on
 * `expire_at` removes them).
 */
import { Timestamp } from "firebase-admin/firestore";
import { CALLBACK_NAMES, type CallbackName } from "../../core/callbacks.js";
import type { Effect } from "../../core/effects.js";
import { PRIVATE_COLLECTIONS } from "../../model/collections.js";
import { z } from "zod";
import {
  outboxRow,
  outboxRowFields,
  timestamp,
  type OutboxRow,
  type RowSchema,
} from "../outbox.js";

export const OUTBOX = PRIVATE_COLLECTIONS.webhookEvents;
export const OUTBOX_TTL_MS = 30 * 24 * 3600 * 1000;

export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface Attempt {
  /** 1 for the first attempt. */
  n: number;
  at: Timestamp;
  ms: number;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why the attempt failed without an answer (timeout, connection dropped, …). */
  error?: string;
}

export interface OutboxDoc extends OutboxRow {
  event_id: string;
  call_id: string;
  event: CallbackName;
  fields: Record<string, unknown>;
  /** Orders the events of one call. */
  seq: number;
  /** The change's time, Unix seconds: the envelope's `timestamp`, the same on every attempt. */
  timestamp: number;
  nonce: string;
  status: DeliveryStatus;
  attempts: Attempt[];
  delivered_at?: Timestamp;
  failed_at?: Timestamp;
}

const attempt = z.object({
  n: z.number().int(),
  at: timestamp,
  ms: z.number(),
  status: z.number().int().optional(),
  error: z.string().optional(),
});

/** A stored event, parsed when read (its delivery, its backstop). */
export const outboxDocSchema: RowSchema<OutboxDoc> = z.object({
  ...outboxRowFields,
  event_id: z.string(),
  call_id: z.string(),
  event: z.enum(CALLBACK_NAMES),
  fields: z.record(z.string(), z.unknown()),
  seq: z.number().int(),
  timestamp: z.number(),
  nonce: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.array(attempt),
  delivered_at: timestamp.optional(),
  failed_at: timestamp.optional(),
});

export function outboxDoc(e: Extract<Effect, { kind: "callback" }>): OutboxDoc {
  return {
    ...outboxRow(e.event.call_id, e.at, OUTBOX_TTL_MS),
    status: "pending",
    event_id: e.event_id,
    call_id: e.event.call_id,
    event: e.event.event,
    fields: e.event.fields as Record<string, unknown>,
    seq: e.seq,
    timestamp: Math.floor(e.at / 1000),
    // The event id: stable across retries, distinct across events, and signed (it is in the
    // body and in ZEGO's signature), so it is what a receiver dedupes on, not a header.
    nonce: e.event_id,
    attempts: [],
  };
}

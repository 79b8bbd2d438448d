/**
 * The one outbox every recording channel shares (docs/protocol.md#channels): a row per thing
 * to deliver, written in the change's own transaction, claimed with a lease by each delivery
 * attempt, and backstopped by the sweep, which looks for rows still `unsent_since` a grace
 * period after they were written (their task was never enqueued, or their delivery never ran).
 */
import {
  Timestamp,
  type CollectionReference,
  type DocumentReference,
  type Transaction,
} from "firebase-admin/firestore";
import { z } from "zod";
import type { Ctx } from "../adapters/context.js";
import { shardGroups, shardOf } from "../adapters/store/shards.js";
import type { Channel } from "./channel.js";
import type { Effect } from "../core/effects.js";
import { deliverEffects } from "./deliver.js";

/** The fields every outbox row carries, whatever else its channel adds. */
export interface OutboxRow {
  /** `pending` until an attempt settles it; each channel has its own further states. */
  status: string;
  created_at: Timestamp;
  /** The backstop's index shard (store/shards.ts), from the call id. */
  shard: number;
  /** Set until a delivery attempt claims it: what the sweep looks for when an enqueue was lost. */
  unsent_since: Timestamp | null;
  /** While an attempt is in flight: a second attempt for the same row waits it out. */
  lease_until: Timestamp | null;
  /** When a TTL policy on `expire_at` removes it. */
  expire_at: Timestamp;
}

/** A stored Timestamp, kept as one (the rows' times are compared and rewritten as such). */
export const timestamp = z.custom<Timestamp>((v) => v instanceof Timestamp, {
  message: "expected a Timestamp",
});

/** The shared fields' schema, which each channel's row schema extends. */
export const outboxRowFields = {
  status: z.string(),
  created_at: timestamp,
  shard: z.number().int(),
  unsent_since: timestamp.nullable(),
  lease_until: timestamp.nullable(),
  expire_at: timestamp,
};

/** What a channel's rows parse with: a row is Ringback's own, so one that does not is an error. */
export type RowSchema<D> = z.ZodType<D>;

/** The row stored at `path`, parsed (never cast): an error naming the path when it does not. */
export function parseRow<D>(schema: RowSchema<D>, data: unknown, path: string): D {
  const r = schema.safeParse(data);
  if (!r.success)
    throw new Error(`${path} is not a Ringback outbox row: ${z.prettifyError(r.error)}`);
  return r.data;
}

/** A new row's shared fields, for a change of call `callId` at `at` (epoch ms), kept `ttlMs`. */
export function outboxRow(callId: string, at: number, ttlMs: number): OutboxRow {
  const t = Timestamp.fromMillis(at);
  return {
    status: "pending",
    created_at: t,
    shard: shardOf(callId),
    unsent_since: t,
    lease_until: null,
    expire_at: Timestamp.fromMillis(at + ttlMs),
  };
}

/** Writes the claim of a row: the lease, and no longer unsent; `patch` adds the channel's own fields. */
export type Lease = (leaseMs: number, patch?: Record<string, unknown>) => void;

/**
 * Claims row `ref` in one transaction for an attempt at `now`: `absent` when it is gone or no
 * longer in one of the `open` states, `held` while another attempt's lease runs; otherwise
 * `take` decides (reading more in `tx` if it must) and calls `lease` to hold the row.
 */
export async function claimRow<D extends OutboxRow, R>(
  ref: DocumentReference,
  schema: RowSchema<D>,
  now: number,
  open: readonly string[],
  take: (doc: D, tx: Transaction, lease: Lease) => Promise<R> | R,
): Promise<R | "absent" | "held"> {
  return ref.firestore.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const doc = snap.exists ? parseRow(schema, snap.data(), ref.path) : undefined;
    if (!doc || !open.includes(doc.status)) return "absent" as const;
    if ((doc.lease_until?.toMillis() ?? 0) > now) return "held" as const;
    const lease: Lease = (leaseMs, patch = {}) =>
      tx.update(ref, {
        unsent_since: null, // a patch may keep it (an inline push: channels/push/inline.ts)
        ...patch,
        lease_until: Timestamp.fromMillis(now + leaseMs),
      });
    return take(doc, tx, lease);
  });
}

/**
 * The rows of `outbox` unsent since `olderThan` (epoch ms) or earlier, oldest first in each
 * shard group, at most `limit` a group. The groups are queried side by side (shards.ts):
 * `unsent_since` grows with time, so its index begins with the shard to spread the writes.
 */
export async function unsentSince<T>(
  outbox: CollectionReference,
  schema: RowSchema<T>,
  olderThan: number,
  limit: number,
): Promise<T[]> {
  const pages = await Promise.all(
    shardGroups().map((shards) =>
      outbox
        .where("shard", "in", shards)
        .where("unsent_since", "<=", Timestamp.fromMillis(olderThan))
        .orderBy("unsent_since")
        .limit(limit)
        .get(),
    ),
  );
  return pages.flatMap((p) => p.docs.map((s) => parseRow(schema, s.data(), s.ref.path)));
}

/**
 * A channel's backstop: its rows unsent for longer than `graceMs` are carried out again
 * through `channel` alone (under their own names, so a task merely waiting in its queue is
 * not enqueued twice). Nothing while the channel is off. Answers how many rows it took up.
 */
export async function resendRows<D>(
  ctx: Ctx,
  channel: Channel,
  outbox: CollectionReference,
  schema: RowSchema<D>,
  graceMs: number,
  effect: (doc: D) => Effect,
  opts: { now?: number; limit?: number } = {},
): Promise<number> {
  if (!channel.on(ctx)) return 0;
  const now = opts.now ?? Date.now();
  const docs = await unsentSince<D>(outbox, schema, now - graceMs, opts.limit ?? 200);
  await deliverEffects(
    ctx.effects,
    docs.map((d) => ({ channel, effect: effect(d) })),
  );
  return docs.length;
}

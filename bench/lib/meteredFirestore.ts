/**
 * Counts Firestore document reads and writes in billing units by wrapping the Firestore
 * handle the benchmark and the cost test pass to Ringback's adapters, so the production code
 * carries no meter. Reads: a document read (missing ones too), a query's results (one if
 * empty). Writes: per collection of the document written.
 */
import {
  Query,
  type DocumentReference,
  type Firestore,
  type Transaction,
} from "firebase-admin/firestore";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";

export interface MeterSnapshot {
  reads: number;
  /**
   * Writes per collection: `calls/*`, `users/*` (and rate limits), `users/*\/notifications/*`,
   * the webhook outbox `ringback_webhook_events/*` and the push outbox `ringback_push_jobs/*`.
   */
  writes: { calls: number; users: number; notifications: number; webhooks: number; push: number };
  /** Transaction attempts (a retried attempt's reads are billed again). */
  transactions: number;
}

export class Meter {
  reads = 0;
  transactions = 0;
  readonly writes = { calls: 0, users: 0, notifications: 0, webhooks: 0, push: 0 };

  snapshot(): MeterSnapshot {
    return { reads: this.reads, writes: { ...this.writes }, transactions: this.transactions };
  }

  /** What was counted since `before`. */
  since(before: MeterSnapshot): MeterSnapshot {
    return {
      reads: this.reads - before.reads,
      writes: {
        calls: this.writes.calls - before.writes.calls,
        users: this.writes.users - before.writes.users,
        notifications: this.writes.notifications - before.writes.notifications,
        webhooks: this.writes.webhooks - before.writes.webhooks,
        push: this.writes.push - before.writes.push,
      },
      transactions: this.transactions - before.transactions,
    };
  }

  wrote(ref: DocumentReference): void {
    const path = ref.path;
    if (path.startsWith("calls/")) this.writes.calls += 1;
    else if (path.startsWith(`${PRIVATE_COLLECTIONS.webhookEvents}/`)) this.writes.webhooks += 1;
    else if (path.startsWith(`${PRIVATE_COLLECTIONS.pushJobs}/`)) this.writes.push += 1;
    else if (path.includes("/notifications/")) this.writes.notifications += 1;
    else this.writes.users += 1;
  }
}

export const totalWrites = (s: MeterSnapshot): number =>
  s.writes.calls + s.writes.users + s.writes.notifications + s.writes.webhooks + s.writes.push;

type AnyFn = (...args: unknown[]) => unknown;

/** A query whose `get` is counted, and whose refinements stay counted. */
function meteredQuery<Q extends object>(q: Q, meter: Meter): Q {
  return new Proxy(q, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        const out = (v as AnyFn).apply(target, args);
        if (prop === "get" && out instanceof Promise) {
          return out.then((snap: { size: number }) => {
            meter.reads += Math.max(1, snap.size);
            return snap;
          });
        }
        return out instanceof Query ? meteredQuery(out, meter) : out;
      };
    },
  });
}

function meteredTransaction(tx: Transaction, meter: Meter): Transaction {
  const proxy: Transaction = new Proxy(tx, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (prop === "get") meter.reads += 1;
        if (prop === "getAll") meter.reads += args.filter((a) => !isReadOptions(a)).length;
        if (prop === "set" || prop === "create" || prop === "update" || prop === "delete") {
          meter.wrote(args[0] as DocumentReference);
        }
        const out = (v as AnyFn).apply(target, args);
        return out === target ? proxy : out; // chained calls stay counted
      };
    },
  });
  return proxy;
}

const isReadOptions = (a: unknown): boolean =>
  typeof a === "object" && a !== null && "fieldMask" in a;

/**
 * `db` with every read and write counted into `meter`, and (for fault tests) `fault` called
 * after a transaction's function has staged its writes and before it commits.
 */
export function instrumented(
  db: Firestore,
  opts: { meter?: Meter; fault?: () => void },
): Firestore {
  const { meter, fault } = opts;
  return new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === "runTransaction") {
        return (fn: (tx: Transaction) => Promise<unknown>, options?: object) =>
          target.runTransaction(async (tx) => {
            if (meter) meter.transactions += 1;
            const value = await fn(meter ? meteredTransaction(tx, meter) : tx);
            fault?.();
            return value;
          }, options);
      }
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        const out = (v as AnyFn).apply(target, args);
        return meter && out instanceof Query ? meteredQuery(out, meter) : out;
      };
    },
  });
}

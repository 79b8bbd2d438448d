/**
 * Counts Firestore document reads and writes in billing units, at the one place each
 * happens (UnitOfWork, the sweep query), so a cost table can be exact. Optional: the
 * deployed functions run without one; the benchmark passes one in through the context.
 */
export interface MeterSnapshot {
  reads: number;
  /** Writes per collection: `calls/*`, `users/*`, `users/*\/notifications/*`. */
  writes: { calls: number; users: number; notifications: number };
  /** Transaction attempts (a retried attempt's reads are billed again). */
  transactions: number;
}

export class Meter {
  reads = 0;
  transactions = 0;
  readonly writes = { calls: 0, users: 0, notifications: 0 };

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
      },
      transactions: this.transactions - before.transactions,
    };
  }
}

export const totalWrites = (s: MeterSnapshot): number =>
  s.writes.calls + s.writes.users + s.writes.notifications;

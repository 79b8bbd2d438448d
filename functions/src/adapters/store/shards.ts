/**
 * Index shards (SCALE.md#hot-spots). Firestore keeps an index's entries in order, so a field
 * whose values grow with time (`next_deadline_at`, `task_at`, `unsent_since`) sends every new
 * entry to the same end of the index: one tablet, about 500 writes a second for the whole
 * collection. Each call (and each outbox event) therefore carries a small `shard` number,
 * derived from its call id, and the indexes the sweeps query begin with it: the writes spread
 * over SHARDS ranges, and the sweeps query every shard side by side.
 */

/**
 * How many shards. Fixed, not a param: a call keeps the shard it was written with, so the
 * sweep must always query every shard that any stored call may have (raising it needs no
 * migration only if the sweep first queries the old range too; see SCALE.md).
 */
export const SHARDS = 64;

/** The shard of a call (and of its callback events): FNV-1a of the call id, mod SHARDS. */
export function shardOf(callId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < callId.length; i++) {
    h ^= callId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SHARDS;
}

/** Every shard number. */
export const allShards = (): number[] => Array.from({ length: SHARDS }, (_, i) => i);

/** The most values one `in` filter takes (Firestore's limit). */
const IN_LIMIT = 30;

/**
 * Every shard, in groups of at most 30 for one `in` query each: the sweeps query 3 groups,
 * not 64 shards, so a sweep that finds nothing costs 3 reads per index, not 64 (a query is
 * billed at least one read). Each group still reads the shard-first index, merged in the
 * order of its second field.
 */
export const shardGroups = (): number[][] => {
  const all = allShards();
  const groups: number[][] = [];
  for (let i = 0; i < all.length; i += IN_LIMIT) groups.push(all.slice(i, i + IN_LIMIT));
  return groups;
};

/** Runs `tasks` with at most `limit` at once; resolves when all have. */
export async function limited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++] as T);
    }),
  );
}

/** A gate that lets at most `n` of the functions given to it run at once. */
export function semaphore(n: number): <T>(run: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (run) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    else active++;
    try {
      return await run();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

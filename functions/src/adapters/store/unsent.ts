/**
 * What the webhook and push backstops share: the oldest rows of an outbox whose delivery task
 * was never enqueued, still carrying `unsent_since` a grace period after they were written.
 */
import { Timestamp, type CollectionReference } from "firebase-admin/firestore";
import { shardGroups } from "./shards.js";

/**
 * The rows of `outbox` unsent since `olderThan` (epoch ms) or earlier, oldest first in each
 * shard group, at most `limit` a group. The groups are queried side by side (shards.ts):
 * `unsent_since` grows with time, so its index begins with the shard to spread the writes.
 */
export async function unsentSince<T>(
  outbox: CollectionReference,
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
  return pages.flatMap((p) => p.docs.map((s) => s.data() as T));
}

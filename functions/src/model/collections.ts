/**
 * Where Ringback keeps its documents (docs/protocol.md#living-beside-the-apps-own-data).
 * Two collections are shared with the app and movable by params (`users`, `calls`); the
 * private ones carry a `ringback_` prefix so they never meet an app's own collection.
 */

/** The two collections an app reads, moved by RINGBACK_USERS_COLLECTION / _CALLS_COLLECTION. */
export interface SharedNames {
  users: string;
  calls: string;
}

export const DEFAULT_NAMES: SharedNames = { users: "users", calls: "calls" };

/** Server-only collections: no rule opens them, so clients are refused. */
export const PRIVATE_COLLECTIONS = {
  /** startCall's per-user rate-limit buckets. */
  rateLimits: "ringback_rate_limits",
  /** The webhook outbox: one row per callback event. */
  webhookEvents: "ringback_webhook_events",
  /** The push outbox: one job per (call, user, ring | cancel). */
  pushJobs: "ringback_push_jobs",
  /** Who holds each push token (one device of one user at a time). */
  pushTokens: "ringback_push_tokens",
  /** The invitations delivered to each callee in the last minute (the ring limits). */
  ringLogs: "ringback_ring_logs",
} as const;

/**
 * Server-only too: the rows of each channel without an outbox of its own (channels/rows.ts),
 * `ringback_channels/{channel}/ringback_outbox/{id}`, one index and TTL policy for them all.
 */
export const CHANNEL_ROWS = { root: "ringback_channels", outbox: "ringback_outbox" } as const;

/** The names the private collections had before the prefix (npm run migrate-collections). */
export const LEGACY_PRIVATE_COLLECTIONS: Partial<Record<keyof typeof PRIVATE_COLLECTIONS, string>> =
  {
    rateLimits: "rate_limits",
    webhookEvents: "webhook_events",
    pushJobs: "push_jobs",
    pushTokens: "push_tokens",
  };

/** Ringback's subcollections of `users/{uid}`: nothing else below a user is ever touched. */
export const USER_SUBCOLLECTIONS = {
  notifications: "notifications",
  devices: "devices",
  blocked: "blocked",
} as const;

/** A call's server-only part: `calls/{call_id}/private/server`. */
export const CALL_PRIVATE = { collection: "private", doc: "server" } as const;

/** What a shared collection's name may be: a plain collection id (no path, no `__x__`). */
export const COLLECTION_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Why `names` cannot be used, or null: each a plain id, distinct, none of Ringback's own. */
export function namesProblem(names: SharedNames): string | null {
  for (const [key, name] of Object.entries(names)) {
    if (!COLLECTION_NAME.test(name)) {
      return `${key} collection ${JSON.stringify(name)}: use letters, digits, _ or -, starting with a letter (at most 64).`;
    }
  }
  if (names.users === names.calls) {
    return `the users and calls collections must differ (both are ${JSON.stringify(names.users)}).`;
  }
  const reserved: string[] = [
    ...Object.values(PRIVATE_COLLECTIONS),
    ...Object.values(CHANNEL_ROWS),
    ...Object.values(USER_SUBCOLLECTIONS),
  ];
  for (const name of [names.users, names.calls]) {
    if (reserved.includes(name)) return `${JSON.stringify(name)} is one of Ringback's own names.`;
  }
  return null;
}

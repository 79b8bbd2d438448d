/**
 * What an app merges into its own Firestore config for Ringback, for the collection names it
 * configured (`npm run print-config`, docs/deploy.md#7-security-rules-merge-never-replace):
 * the rules block, the index entries, and a warning for each thing the app shares with
 * Ringback. The exemptions name only fields Ringback writes (the model's schemas), and the
 * rules open only Ringback's own documents, never an app's subcollection beside them.
 */
import {
  DEFAULT_NAMES,
  PRIVATE_COLLECTIONS,
  USER_SUBCOLLECTIONS,
  namesProblem,
  type SharedNames,
} from "../../functions/src/model/collections.js";
import {
  CALL_FIELDS,
  storedBucket,
  storedRingLog,
  USER_FIELDS,
} from "../../functions/src/model/documents.js";
import { CHANNEL_ROWS, CHANNEL_ROW_FIELDS } from "../../functions/src/channels/rows.js";

const P = PRIVATE_COLLECTIONS;

interface IndexField {
  fieldPath: string;
  order?: "ASCENDING" | "DESCENDING";
  arrayConfig?: "CONTAINS";
}
interface FieldOverride {
  collectionGroup: string;
  fieldPath: string;
  ttl?: boolean;
  indexes: never[];
}
export interface IndexConfig {
  indexes: { collectionGroup: string; queryScope: "COLLECTION"; fields: IndexField[] }[];
  fieldOverrides: FieldOverride[];
}

/** Fields of Ringback's private and notification documents (written by the adapters). */
const WEBHOOK_EVENT_FIELDS = [
  "event_id",
  "event",
  "fields",
  "seq",
  "timestamp",
  "nonce",
  "attempts",
  "created_at",
  "shard",
  "unsent_since",
  "lease_until",
  "delivered_at",
  "failed_at",
];
const PUSH_JOB_FIELDS = [
  "job_id",
  "call_id",
  "uid",
  "type",
  "job",
  "status",
  "devices",
  "attempts",
  "created_at",
  "shard",
  "unsent_since",
  "lease_until",
];
const NOTIFICATION_FIELDS = ["path", "body", "seq"];
const PUSH_TOKEN_FIELDS = ["uid", "device_id"];

const asc = (fieldPath: string): IndexField => ({ fieldPath, order: "ASCENDING" });

/** The composite indexes of every query the server runs (test/unit/indexes.test.ts). */
function indexes(n: SharedNames): IndexConfig["indexes"] {
  const idx = (collectionGroup: string, fields: IndexField[]) => ({
    collectionGroup,
    queryScope: "COLLECTION" as const,
    fields,
  });
  return [
    // listCalls: a user's calls, newest first.
    idx(n.calls, [
      { fieldPath: "user_ids", arrayConfig: "CONTAINS" },
      { fieldPath: "created_at", order: "DESCENDING" },
      { fieldPath: "__name__", order: "DESCENDING" },
    ]),
    // The sweep: calls whose deadline task is due, by shard; and live calls with none (its
    // enqueue failed). Neither holds `next_deadline_at`, which every heartbeat moves.
    idx(n.calls, [asc("shard"), asc("task_at")]),
    idx(n.calls, [asc("shard"), asc("task_at"), asc("state")]),
    // The backstops: unsent outbox rows by shard.
    idx(P.webhookEvents, [asc("shard"), asc("unsent_since")]),
    idx(P.pushJobs, [asc("shard"), asc("unsent_since")]),
    // Every other channel's rows (channels/rows.ts): one collection id at any depth.
    idx(CHANNEL_ROWS.outbox, [asc("shard"), asc("unsent_since")]),
  ];
}

/**
 * Single-field index exemptions: every field Ringback writes and never queries alone (each
 * index costs a write, and one on a time-growing field caps its collection near 500 writes a
 * second), then the TTL policies.
 */
function fieldOverrides(n: SharedNames): FieldOverride[] {
  const exempt = (collectionGroup: string, fields: readonly string[]) =>
    fields.map((fieldPath) => ({ collectionGroup, fieldPath, indexes: [] as never[] }));
  const ttl = (collectionGroup: string) => ({
    collectionGroup,
    fieldPath: "expire_at",
    ttl: true,
    indexes: [] as never[],
  });
  return [
    ...exempt(
      n.calls,
      CALL_FIELDS.filter((f) => f !== "user_ids"),
    ),
    ...exempt(n.users, USER_FIELDS),
    ...exempt(P.rateLimits, Object.keys(storedBucket.shape)),
    ...exempt(P.webhookEvents, WEBHOOK_EVENT_FIELDS),
    ...exempt(USER_SUBCOLLECTIONS.notifications, NOTIFICATION_FIELDS),
    ...exempt(P.pushJobs, PUSH_JOB_FIELDS),
    ...exempt(P.pushTokens, PUSH_TOKEN_FIELDS),
    ...exempt(P.ringLogs, Object.keys(storedRingLog.shape)),
    ...exempt(CHANNEL_ROWS.outbox, CHANNEL_ROW_FIELDS),
    ttl(P.webhookEvents),
    ttl(P.pushJobs),
    ttl(USER_SUBCOLLECTIONS.notifications),
    ttl(CHANNEL_ROWS.outbox),
  ];
}

export function indexConfig(n: SharedNames = DEFAULT_NAMES): IndexConfig {
  return { indexes: indexes(n), fieldOverrides: fieldOverrides(n) };
}

/** The rules block, between its markers, indented to sit inside `match /databases/…`. */
export function rulesBlock(n: SharedNames = DEFAULT_NAMES): string {
  const names =
    n.users === DEFAULT_NAMES.users && n.calls === DEFAULT_NAMES.calls
      ? ""
      : ` -- --users ${n.users} --calls ${n.calls}`;
  const sub = Object.values(USER_SUBCOLLECTIONS);
  const lines = [
    "// BEGIN RINGBACK RULES",
    `// Ringback's block, printed by \`npm run print-config${names}\`: paste it, unchanged,`,
    "// inside the `match /databases/{database}/documents` of your own firestore.rules",
    "// (docs/deploy.md#7-security-rules-merge-never-replace). The server (Cloud",
    "// Functions, admin SDK) writes every Ringback document; clients only read. Its private",
    "// collections and each call's private part need no rule: with none, clients are refused:",
    `// ${Object.values(P).join(", ")}.`,
    "// Rules are OR-ed: a rule of yours that allows more on these paths allows it on Ringback's",
    "// documents too.",
    "",
    "// A call is readable by the users it names (get, and queries on user_ids array-contains).",
    `match /${n.calls}/{callId} {`,
    "  allow read: if request.auth != null && request.auth.uid in resource.data.user_ids;",
    "  allow write: if false;",
    "}",
    "",
    "// A user's live state is read by that user alone:",
    `// ${USER_FIELDS.join(", ")}.`,
    `// ${n.users}/{uid} may be your app's profile too: this lets its owner read the whole doc.`,
    "// If your rules let users write their own profile, keep Ringback's fields out of reach",
    "// there with ringbackFieldsUnchanged() (below).",
    `match /${n.users}/{uid} {`,
    "  allow read: if request.auth != null && request.auth.uid == uid;",
    "",
    `  // Ringback's subcollections only (${sub.join(", ")}); yours keep your rules.`,
    ...sub.flatMap((s) => [
      `  match /${s}/{id} {`,
      "    allow read: if request.auth != null && request.auth.uid == uid;",
      "    allow write: if false;",
      "  }",
    ]),
    "}",
    "",
    `// For your own write rule on ${n.users}/{uid}: true when a write leaves Ringback's fields`,
    "// as they were, e.g. `allow update: if isOwner(uid) && ringbackFieldsUnchanged();`.",
    "function ringbackFieldsUnchanged() {",
    "  return !request.resource.data.diff(resource == null ? {} : resource.data).affectedKeys()",
    `      .hasAny([${USER_FIELDS.map((f) => `'${f}'`).join(", ")}]);`,
    "}",
    "// END RINGBACK RULES",
  ];
  return lines.map((l) => (l === "" ? "" : `    ${l}`)).join("\n") + "\n";
}

/** A whole rules file: the block, then nothing else open (the local stack's and the tests'). */
export function rulesFile(n: SharedNames = DEFAULT_NAMES): string {
  return [
    "rules_version = '2';",
    "",
    "service cloud.firestore {",
    "  match /databases/{database}/documents {",
    rulesBlock(n).trimEnd(),
    "",
    "    // The demo app's own rules: it keeps nothing else in Firestore, so nothing else is open.",
    "    match /{document=**} {",
    "      allow read, write: if false;",
    "    }",
    "  }",
    "}",
    "",
  ].join("\n");
}

/** What an app shares with Ringback under these names: one line each, to read before merging. */
export function warnings(n: SharedNames = DEFAULT_NAMES): string[] {
  const out = [
    `${n.users}/{uid}: Ringback writes ${USER_FIELDS.join(", ")} there (merged, never your other fields) and exempts them from single-field indexing. If your app keeps a field of one of these names there, or fields its user must not read, set RINGBACK_USERS_COLLECTION to a collection of Ringback's own.`,
    `${USER_SUBCOLLECTIONS.notifications}: index exemptions and TTL policies apply to a collection group, i.e. to every collection named "${USER_SUBCOLLECTIONS.notifications}" in your database at any depth. Any document there with an expire_at is deleted after that time; path, body and seq are not indexed.`,
  ];
  for (const [key, name] of Object.entries(n)) {
    if (name === DEFAULT_NAMES[key as keyof SharedNames]) {
      out.push(
        `${name}: the exemptions apply to every collection named "${name}" at any depth; if your app has one of its own (a subcollection too), set RINGBACK_${key.toUpperCase()}_COLLECTION.`,
      );
    }
  }
  return out;
}

export { namesProblem };

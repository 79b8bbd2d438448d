/**
 * Deploy-time parameters (functions/.env.<project> or at deploy), each with the range it must
 * lie in; checkParams() refuses to load outside it (docs/protocol.md#limits-and-defaults).
 */
import { defineBoolean, defineInt, defineSecret, defineString } from "firebase-functions/params";
import { DEFAULT_NAMES, namesProblem, type SharedNames } from "./model/collections.js";

/** Where the functions and task queues are deployed (an extension's LOCATION stands in). */
export const REGION = defineString("RINGBACK_REGION", {
  default: "us-central1",
  description: "The Cloud Functions region of every Ringback function and task queue.",
  input: {
    text: {
      validationRegex: "^[a-z]+-[a-z]+[0-9]+$",
      validationErrorMessage: "A Cloud Functions region, e.g. us-central1 or europe-west1.",
    },
  },
});

const COLLECTION_INPUT = {
  text: {
    validationRegex: "^[A-Za-z][A-Za-z0-9_-]{0,63}$",
    validationErrorMessage: "A collection id: letters, digits, _ or -, starting with a letter.",
  },
};

/** Where the users' live state is kept: often the app's own profile collection, shared. */
export const USERS_COLLECTION = defineString("RINGBACK_USERS_COLLECTION", {
  default: "users",
  description:
    "The collection of users/{uid} docs Ringback writes its five fields into (merged, never " +
    "replacing the app's fields); clients subscribe to it.",
  input: COLLECTION_INPUT,
});

/** Where calls are kept; move it when the app has a `calls` collection of its own. */
export const CALLS_COLLECTION = defineString("RINGBACK_CALLS_COLLECTION", {
  default: "calls",
  description: "The collection of Ringback's call documents; clients read their own calls.",
  input: COLLECTION_INPUT,
});

export const CALL_TIMEOUT_SECONDS = defineInt("RINGBACK_CALL_TIMEOUT_SECONDS", {
  default: 60,
  description: "Default invitation timeout in seconds (1..600) when startCall gives none.",
});

export const HEARTBEAT_INTERVAL_SECONDS = defineInt("RINGBACK_HEARTBEAT_INTERVAL_SECONDS", {
  default: 20,
  description: "How often participants should call heartbeat; returned to clients.",
});

export const HEARTBEAT_TIMEOUT_SECONDS = defineInt("RINGBACK_HEARTBEAT_TIMEOUT_SECONDS", {
  default: 60,
  description: "A participant whose last heartbeat is older than this is timed out.",
});

export const MAX_CALL_USERS = defineInt("RINGBACK_MAX_CALL_USERS", {
  default: 10,
  description: "At most this many users in one advanced-mode call, the inviter included.",
});

export const START_RATE_PER_MINUTE = defineInt("RINGBACK_START_RATE_PER_MINUTE", {
  default: 30,
  description: "Abuse limit: startCall calls a user may make per minute, on average.",
});

export const START_BURST = defineInt("RINGBACK_START_BURST", {
  default: 10,
  description: "Abuse limit: startCall calls a user may make at once before the rate applies.",
});

export const RATE_CALLEE_PER_MINUTE = defineInt("RINGBACK_RATE_CALLEE_PER_MINUTE", {
  default: 20,
  description: "Ring limit: invitations delivered to one user a minute, from everyone. 0: off.",
});
export const RATE_PAIR_PER_MINUTE = defineInt("RINGBACK_RATE_PAIR_PER_MINUTE", {
  default: 5,
  description: "Ring limit: invitations delivered from one caller to one user a minute. 0: off.",
});

export const NOT_RECEIVED_CHECK_SECONDS = defineInt("RINGBACK_NOT_RECEIVED_CHECK_SECONDS", {
  default: 5,
  description: "With not_received_check, an invitee with no ackCall this long is NotYetReceived.",
});

export const MAX_INVITEES = defineInt("RINGBACK_MAX_INVITEES", {
  default: 9,
  description: "At most this many callees in one startCall or inviteToCall.",
});

export const LIST_PAGE_LIMIT = defineInt("RINGBACK_LIST_PAGE_LIMIT", {
  default: 100,
  description: "listCalls returns at most this many calls a page; a larger count is cut.",
});

export const ENFORCE_APP_CHECK = defineBoolean("RINGBACK_ENFORCE_APP_CHECK", {
  default: false,
  description: "Refuse callable requests without a valid App Check token.",
});

export const WEBHOOK_URL = defineString("RINGBACK_WEBHOOK_URL", {
  default: "",
  description: "Where to POST callbacks (https; http on loopback only); empty: no callbacks.",
  input: {
    text: {
      validationRegex: "^(|https?://\\S+)$",
      validationErrorMessage: "An http:// or https:// URL, or empty for no callbacks.",
    },
  },
});

export const APP_ID = defineString("RINGBACK_APP_ID", {
  default: "",
  description: "The `appid` every callback carries, so a receiver can tell apps apart.",
});

export const HTTP_CORS_ORIGINS = defineString("RINGBACK_HTTP_CORS_ORIGINS", {
  default: "",
  description: "callApi (the HTTP door): comma-separated origins CORS allows; empty: none.",
  input: {
    text: {
      validationRegex: "^(|https?://[^,\\s]+(,https?://[^,\\s]+)*)$",
      validationErrorMessage: "Comma-separated http(s) origins, such as https://app.example.com.",
    },
  },
});

export const STREAM_SECONDS = defineInt("RINGBACK_STREAM_SECONDS", {
  default: 300,
  description: "callApi's notification stream ends after this many seconds; clients reconnect.",
});

export const STREAMS_PER_USER = defineInt("RINGBACK_STREAMS_PER_USER", {
  default: 5,
  description: "Notification streams a user holds (per instance); a new one ends the oldest.",
});

// Capacity (SCALE.md#configured-for-load): how far the functions and the task queues may scale.
// The defaults suit up to about 1,000 call starts a second; SCALE.md computes what a given
// load needs.

export const MAX_INSTANCES = defineInt("RINGBACK_MAX_INSTANCES", {
  default: 100,
  description: "Most instances of each function (a cost ceiling; SCALE.md: what a load needs).",
});

export const MIN_INSTANCES = defineInt("RINGBACK_MIN_INSTANCES", {
  default: 0,
  description: "Instances of each function kept warm (billed while idle): 1+ avoids cold starts.",
});

export const CONCURRENCY = defineInt("RINGBACK_CONCURRENCY", {
  default: 80,
  description:
    "Requests one instance serves at once (Cloud Run concurrency; the functions wait on " +
    "Firestore, not the CPU, so many fit; 1 CPU each).",
});

export const MEMORY_MIB = defineInt("RINGBACK_MEMORY_MIB", {
  default: 256,
  description: "Memory of each instance in MiB: 256, 512, 1024, 2048 or 4096 (1 CPU up to 2048).",
});

export const DEADLINE_QUEUE_RATE = defineInt("RINGBACK_DEADLINE_QUEUE_RATE", {
  default: 500,
  description:
    "Deadline tasks dispatched a second, at most (Cloud Tasks allows at most 500 a queue).",
});

export const DEADLINE_QUEUE_CONCURRENCY = defineInt("RINGBACK_DEADLINE_QUEUE_CONCURRENCY", {
  default: 1000,
  description: "Deadline tasks running at once, at most (Cloud Tasks allows at most 5,000).",
});

export const WEBHOOK_QUEUE_RATE = defineInt("RINGBACK_WEBHOOK_QUEUE_RATE", {
  default: 500,
  description: "Callback deliveries dispatched a second, at most (at most 500 a queue).",
});

export const WEBHOOK_QUEUE_CONCURRENCY = defineInt("RINGBACK_WEBHOOK_QUEUE_CONCURRENCY", {
  default: 100,
  description:
    "Callback deliveries in flight at once, at most (at most 5,000): what the app bears.",
});

export const PUSH_QUEUE_RATE = defineInt("RINGBACK_PUSH_QUEUE_RATE", {
  default: 500,
  description: "Push tasks (one a change) dispatched a second, at most (at most 500 a queue).",
});

export const PUSH_QUEUE_CONCURRENCY = defineInt("RINGBACK_PUSH_QUEUE_CONCURRENCY", {
  default: 500,
  description: "Push tasks in flight at once, at most (Cloud Tasks allows at most 5,000).",
});

/** Signs every callback (both signatures); required when RINGBACK_WEBHOOK_URL is set. */
export const WEBHOOK_SECRET = defineSecret("RINGBACK_WEBHOOK_SECRET");
/** While that secret rotates, the previous one (a second `v1=`); "none" when not rotating. */
export const WEBHOOK_SECRET_PREVIOUS = defineSecret("RINGBACK_WEBHOOK_SECRET_PREVIOUS");

export const PUSH_ENABLED = defineBoolean("RINGBACK_PUSH_ENABLED", {
  default: true,
  description: "Send ring and cancel pushes (FCM, APNs VoIP) to invitees' registered devices.",
});

export const MAX_DEVICES = defineInt("RINGBACK_MAX_DEVICES", {
  default: 10,
  description: "At most this many devices per user; registering one more drops the oldest.",
});

export const APNS_BUNDLE_ID = defineString("RINGBACK_APNS_BUNDLE_ID", {
  default: "",
  description: "The iOS app's bundle id; VoIP pushes go to topic <bundle id>.voip. Empty: no VoIP.",
});

export const APNS_KEY_ID = defineString("RINGBACK_APNS_KEY_ID", {
  default: "",
  description: "The id of the APNs auth key (.p8) in RINGBACK_APNS_KEY. Empty: no VoIP.",
});

export const APNS_TEAM_ID = defineString("RINGBACK_APNS_TEAM_ID", {
  default: "",
  description: "The Apple developer team id that owns the APNs key. Empty: no VoIP.",
});

export const APNS_HOST = defineString("RINGBACK_APNS_HOST", {
  default: "api.push.apple.com",
  description:
    "APNs host for devices registered without apns_env: api.push.apple.com, or api.sandbox.push.apple.com for development builds.",
  input: {
    text: {
      validationRegex: "^[A-Za-z0-9.-]+(:[0-9]+)?$",
      validationErrorMessage: "A host name (optionally :port), e.g. api.sandbox.push.apple.com.",
    },
  },
});

/** The APNs auth key (.p8 PEM text) that signs VoIP pushes' provider tokens. */
export const APNS_KEY = defineSecret("RINGBACK_APNS_KEY");

/** The schema's ceiling for callees in one command; RINGBACK_MAX_INVITEES may not exceed it. */
export const MAX_INVITEES_CEILING = 50;

/** Each integer param and the whole numbers it may take. */
const RANGES: [param: { name: string; value(): number }, min: number, max: number][] = [
  [CALL_TIMEOUT_SECONDS, 1, 600],
  [HEARTBEAT_INTERVAL_SECONDS, 1, 3600],
  [HEARTBEAT_TIMEOUT_SECONDS, 2, 3600],
  [MAX_CALL_USERS, 2, 100],
  [START_RATE_PER_MINUTE, 1, 100_000],
  [START_BURST, 1, 100_000],
  [RATE_CALLEE_PER_MINUTE, 0, 100_000],
  [RATE_PAIR_PER_MINUTE, 0, 100_000],
  [NOT_RECEIVED_CHECK_SECONDS, 1, 600],
  [MAX_INVITEES, 1, MAX_INVITEES_CEILING],
  [LIST_PAGE_LIMIT, 1, 1000],
  [STREAM_SECONDS, 10, 3540],
  [STREAMS_PER_USER, 1, 100],
  [MAX_DEVICES, 1, 100],
  [MAX_INSTANCES, 1, 1000],
  [MIN_INSTANCES, 0, 1000],
  [CONCURRENCY, 1, 1000],
  [MEMORY_MIB, 256, 4096],
  [DEADLINE_QUEUE_RATE, 1, 500],
  [DEADLINE_QUEUE_CONCURRENCY, 1, 5000],
  [WEBHOOK_QUEUE_RATE, 1, 500],
  [WEBHOOK_QUEUE_CONCURRENCY, 1, 5000],
  [PUSH_QUEUE_RATE, 1, 500],
  [PUSH_QUEUE_CONCURRENCY, 1, 5000],
];

const MEMORY_SIZES = [256, 512, 1024, 2048, 4096];

/**
 * Throws, naming the param, its value and its range, when a param is out of range: a start
 * rate of 0, say, would make every refusal's `retry_after_ms` infinite. Run when an instance
 * loads (platform.ts) and whenever the config is read.
 */
export function checkParams(): void {
  const names = sharedNames();
  const problem = namesProblem(names);
  if (problem) {
    throw new Error(`${USERS_COLLECTION.name} / ${CALLS_COLLECTION.name}: ${problem}`);
  }
  for (const [param, min, max] of RANGES) {
    const v = param.value();
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(
        `${param.name} = ${v} is out of range: set it to a whole number from ${min} to ${max}.`,
      );
    }
  }
  if (!MEMORY_SIZES.includes(MEMORY_MIB.value())) {
    throw new Error(
      `${MEMORY_MIB.name} = ${MEMORY_MIB.value()} is not a memory size: set one of ${MEMORY_SIZES.join(", ")}.`,
    );
  }
  if (MIN_INSTANCES.value() > MAX_INSTANCES.value()) {
    throw new Error(
      `${MIN_INSTANCES.name} = ${MIN_INSTANCES.value()} must not exceed ` +
        `${MAX_INSTANCES.name} = ${MAX_INSTANCES.value()}.`,
    );
  }
  if (HEARTBEAT_INTERVAL_SECONDS.value() >= HEARTBEAT_TIMEOUT_SECONDS.value()) {
    throw new Error(
      `${HEARTBEAT_INTERVAL_SECONDS.name} = ${HEARTBEAT_INTERVAL_SECONDS.value()} must be ` +
        `shorter than ${HEARTBEAT_TIMEOUT_SECONDS.name} = ${HEARTBEAT_TIMEOUT_SECONDS.value()}.`,
    );
  }
}

/** The shared collections' names; outside a functions runtime an unset param reads "" (default). */
export function sharedNames(): SharedNames {
  return {
    users: USERS_COLLECTION.value() || DEFAULT_NAMES.users,
    calls: CALLS_COLLECTION.value() || DEFAULT_NAMES.calls,
  };
}

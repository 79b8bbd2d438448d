/** Params of calls themselves: where they live, how long they ring, how big they get. */
import { defineInt, defineString } from "firebase-functions/params";

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

/** Deploy-time parameters (override in functions/.env.<project> or at deploy). */
import { defineBoolean, defineInt, defineSecret, defineString } from "firebase-functions/params";

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

export const ENFORCE_APP_CHECK = defineBoolean("RINGBACK_ENFORCE_APP_CHECK", {
  default: false,
  description: "Refuse callable requests without a valid App Check token.",
});

export const WEBHOOK_URL = defineString("RINGBACK_WEBHOOK_URL", {
  default: "",
  description: "Where to POST server-to-server callbacks (http or https); empty: no callbacks.",
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

/** Signs every callback (both signatures); required when RINGBACK_WEBHOOK_URL is set. */
export const WEBHOOK_SECRET = defineSecret("RINGBACK_WEBHOOK_SECRET");

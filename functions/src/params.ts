/** Deploy-time parameters (override in functions/.env.<project> or at deploy). */
import { defineInt } from "firebase-functions/params";

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

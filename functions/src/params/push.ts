/** Offline push: FCM and APNs VoIP. */
import { defineBoolean, defineInt, defineSecret, defineString } from "firebase-functions/params";

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

export const PUSH_INLINE_BUDGET_MS = defineInt("RINGBACK_PUSH_INLINE_BUDGET_MS", {
  default: 1000,
  description:
    "How long a command that rings or cancels may wait for its pushes, sent from the request itself (ms); 0: the push task only.",
});

/** Params of the edges: callbacks (webhook), the HTTP door and its notification stream. */
import { defineInt, defineSecret, defineString } from "firebase-functions/params";

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

export const STREAM_KEEPALIVE_SECONDS = defineInt("RINGBACK_STREAM_KEEPALIVE_SECONDS", {
  default: 15,
  description:
    "A `: keep-alive` comment on an idle notification stream this often, under the idle " +
    "timeout of the proxies between clients and the functions.",
});

export const STREAMS_PER_USER = defineInt("RINGBACK_STREAMS_PER_USER", {
  default: 5,
  description: "Notification streams a user holds (per instance); a new one ends the oldest.",
});

/** Signs every callback (both signatures); required when RINGBACK_WEBHOOK_URL is set. */
export const WEBHOOK_SECRET = defineSecret("RINGBACK_WEBHOOK_SECRET");
/** While that secret rotates, the previous one (a second `v1=`); "none" when not rotating. */
export const WEBHOOK_SECRET_PREVIOUS = defineSecret("RINGBACK_WEBHOOK_SECRET_PREVIOUS");

/** Abuse limits: how often a user may ring and be rung, and App Check. */
import { defineBoolean, defineInt, defineString } from "firebase-functions/params";

export const START_RATE_PER_MINUTE = defineInt("RINGBACK_START_RATE_PER_MINUTE", {
  default: 30,
  description: "Abuse limit: startCall calls a user may make per minute, on average.",
});

export const START_BURST = defineInt("RINGBACK_START_BURST", {
  default: 10,
  description: "Abuse limit: startCall calls a user may make at once before the rate applies.",
});

export const COMMAND_RATE_PER_MINUTE = defineInt("RINGBACK_COMMAND_RATE_PER_MINUTE", {
  default: 300,
  description:
    "Abuse limit: commands of any kind a user may send per minute, on average (per instance).",
});
export const COMMAND_BURST = defineInt("RINGBACK_COMMAND_BURST", {
  default: 200,
  description: "Abuse limit: commands of any kind a user may send at once (per instance).",
});

export const RATE_CALLEE_PER_MINUTE = defineInt("RINGBACK_RATE_CALLEE_PER_MINUTE", {
  default: 20,
  description: "Ring limit: invitations delivered to one user a minute, from everyone. 0: off.",
});
export const RATE_PAIR_PER_MINUTE = defineInt("RINGBACK_RATE_PAIR_PER_MINUTE", {
  default: 5,
  description: "Ring limit: invitations delivered from one caller to one user a minute. 0: off.",
});

export const POLICY_URL = defineString("RINGBACK_POLICY_URL", {
  default: "",
  description:
    "Policy hook: startCall and inviteToCall ask it whom not to ring (https; http on loopback only); empty: off.",
  input: {
    text: {
      validationRegex: "^(|https?://\\S+)$",
      validationErrorMessage: "An http:// or https:// URL, or empty for no policy hook.",
    },
  },
});
export const POLICY_FAIL = defineString("RINGBACK_POLICY_FAIL", {
  default: "open",
  description:
    "Policy hook: no answer within 1.5 s or an error rings everyone (open) or no one (closed).",
  input: {
    select: {
      options: [
        { label: "open (ring)", value: "open" },
        { label: "closed (ring no one)", value: "closed" },
      ],
    },
  },
});

export const ENFORCE_APP_CHECK = defineBoolean("RINGBACK_ENFORCE_APP_CHECK", {
  default: false,
  description: "Refuse callable requests without a valid App Check token.",
});

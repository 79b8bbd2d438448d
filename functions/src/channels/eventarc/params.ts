/** The Eventarc channel's one param (channels/eventarc; docs/protocol.md#eventarc-custom-events). */
import { defineString } from "firebase-functions/params";

export const EVENTARC_CHANNEL = defineString("RINGBACK_EVENTARC_CHANNEL", {
  default: "",
  description:
    "Publish every callback event as an Eventarc custom event (ringback.v1.<event>) to this channel, e.g. locations/us-central1/channels/firebase. Empty: off.",
  input: {
    text: {
      validationRegex: "^$|^(projects/[^/]+/)?locations/[^/]+/channels/[^/]+$",
      validationErrorMessage:
        "Empty, or a channel name: locations/<region>/channels/<id> (optionally after projects/<project>/).",
    },
  },
});

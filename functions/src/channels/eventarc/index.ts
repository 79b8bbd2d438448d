/**
 * Eventarc custom events: every `callback` effect (core/callbacks.ts, the webhooks' events)
 * also published to the Eventarc channel RINGBACK_EVENTARC_CHANNEL names (empty: off), so an
 * app's own functions react with `onCustomEventPublished` (docs/protocol.md#eventarc-custom-events).
 * No task queue: each event is sent after the commit and backstopped by the sweep.
 */
import { defineChannel } from "../channel.js";
import { EVENTARC_CHANNEL } from "./params.js";

export const eventarc = defineChannel({
  name: "eventarc",
  effects: ["callback"],
  on: (ctx) => ctx.channels?.eventarc ?? false,
  deployed: () => EVENTARC_CHANNEL.value() !== "",
  params: [EVENTARC_CHANNEL],
  load: async () => (await import("./carrier.js")).carrier,
});

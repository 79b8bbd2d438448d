/**
 * Publishes each callback event as a CloudEvent of type `ringback.v1.<event>`, source
 * `ringback`, subject the call id, id the event id (stable across retries: a receiver
 * dedupes on it), data the event's fields with call_id, event_id, seq and timestamp. Recorded
 * in the change's transaction (channels/rows.ts), published after the commit, taken up again
 * by the sweep until published or failed 10 times.
 */
import { getApps, initializeApp, type App } from "firebase-admin/app";
import { getEventarc } from "firebase-admin/eventarc";
import type { CallbackEvent } from "../../core/callbacks.js";
import type { Carrier, EffectOf } from "../channel.js";
import { resendRows } from "../outbox.js";
import { channelRow, channelRows, channelRowSchema, sendRow, type ChannelRow } from "../rows.js";
import { eventarc } from "./index.js";
import { EVENTARC_CHANNEL } from "./params.js";

const NAME = "eventarc";
const TYPE_PREFIX = "ringback.v1.";
const TTL_MS = 7 * 24 * 3600 * 1000;
/** How long a row waits for its first attempt before the sweep takes it up. */
export const UNSENT_GRACE_MS = 30_000;
const PUBLISH_TIMEOUT_MS = 5000;
const LEASE_MS = PUBLISH_TIMEOUT_MS + 10_000;
const MAX_ATTEMPTS = 10;

/** The CloudEvent of a callback event, but its id (the row's). */
export function cloudEvent(e: EffectOf<"callback">): Record<string, unknown> {
  return {
    type: `${TYPE_PREFIX}${e.event.event}`,
    source: "ringback",
    subject: e.event.call_id,
    time: new Date(e.at).toISOString(),
    data: {
      ...(e.event.fields as Record<string, unknown>),
      call_id: e.event.call_id,
      event_id: e.event_id,
      seq: e.seq,
      timestamp: Math.floor(e.at / 1000),
    },
  };
}

const EMULATED_APP = "ringback-emulated-eventarc";

/**
 * The app that publishes: the default one, but in the Eventarc emulator (the functions
 * emulator sets CLOUD_EVENTARC_EMULATOR_HOST), which asks no credential, one with a stand-in
 * token, since the admin SDK would otherwise look for one (and wait for a metadata server).
 */
function publisher(): App | undefined {
  if (!process.env.CLOUD_EVENTARC_EMULATOR_HOST) return undefined;
  return (
    getApps().find((a) => a.name === EMULATED_APP) ??
    initializeApp(
      {
        projectId: process.env.GCLOUD_PROJECT,
        credential: { getAccessToken: async () => ({ access_token: "owner", expires_in: 3600 }) },
      },
      EMULATED_APP,
    )
  );
}

async function publish(row: ChannelRow): Promise<void> {
  const event = { ...row.payload, id: row.id } as Parameters<
    ReturnType<ReturnType<typeof getEventarc>["channel"]>["publish"]
  >[0];
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${PUBLISH_TIMEOUT_MS} ms`)),
      PUBLISH_TIMEOUT_MS,
    );
  });
  const sent = getEventarc(publisher()).channel(EVENTARC_CHANNEL.value()).publish(event);
  sent.catch(() => undefined); // a late failure, after the timeout, is moot
  await Promise.race([sent, late]).finally(() => clearTimeout(timer));
}

export const carrier: Carrier<"callback"> = {
  outbox: (db, e) => [
    [
      channelRows(db, NAME).doc(e.event_id),
      channelRow(e.event_id, e.event.call_id, e.at, TTL_MS, cloudEvent(e)),
    ],
  ],
  deliver: async (db, e) => {
    await sendRow(db, NAME, e.event_id, { leaseMs: LEASE_MS, maxAttempts: MAX_ATTEMPTS }, publish);
  },
  backstop: (ctx, opts) =>
    resendRows<ChannelRow>(
      ctx,
      eventarc,
      channelRows(ctx.db, NAME),
      channelRowSchema,
      UNSENT_GRACE_MS,
      (row) => {
        // The effect again, from its CloudEvent (only its event id decides what is sent).
        const { call_id, event_id, seq, timestamp, ...fields } = row.payload.data as Record<
          string,
          unknown
        >;
        const event = String(row.payload.type).slice(TYPE_PREFIX.length);
        return {
          kind: "callback",
          event_id: row.id,
          seq: Number(seq),
          at: row.created_at.toMillis(),
          event: { event, call_id: row.call_id, fields } as CallbackEvent,
        };
      },
      opts,
    ),
};

/**
 * What one push to one device is, whatever carries it (docs/protocol.md#offline-push): the
 * data fields every channel sends, and the two wire forms, an FCM v1 message (through
 * firebase-admin) and an APNs VoIP request. The senders behind `PushSender` carry them.
 */
import type { Message } from "firebase-admin/messaging";
import type { PushJob } from "../../core/push.js";
import { PUSH_NAME_CHARS } from "../../core/pushSize.js";

export type Channel = "fcm" | "voip";

/** One message to one device. */
export interface PushMessage {
  /** The push job it belongs to, and the device. */
  job_id: string;
  uid: string;
  device_id: string;
  channel: Channel;
  token: string;
  /** The data fields, all strings (FCM data messages carry only strings). */
  data: Record<string, string>;
  /** The ring deadline (epoch ms): the TTL and the APNs expiration come from it. */
  expires_at: number;
  /** = the call id: a cancel replaces a ring still waiting in FCM. */
  collapse_key: string;
  /** VoIP only: the APNs environment the device registered with; absent when unknown. */
  apns_env?: ApnsEnv;
}

export type ApnsEnv = "sandbox" | "production";

/** What became of one message: sent, or why not. */
export type SendOutcome =
  | { ok: true }
  | {
      ok: false;
      /**
       * unregistered: the service says this token is dead: drop it. transient: try again
       * later. permanent: give up on this message. config: our setup is wrong (credential,
       * permission, topic): give up, drop nothing, tell the operator.
       */
      error: "unregistered" | "transient" | "permanent" | "config";
      code: string;
      /** config only: what the operator must do. */
      fix?: string;
    };

/** Sends messages; answers one outcome per message, in order, and never throws for one. */
export interface PushSender {
  readonly name: string;
  send(messages: readonly PushMessage[]): Promise<SendOutcome[]>;
}

/** A cancel's TTL is at least this, so a cancel sent at the deadline is not now-or-never. */
export const CANCEL_MIN_TTL_MS = 10_000;

/** A name as a push carries it: at most PUSH_NAME_CHARS characters, well-formed. */
export const pushName = (s: string) =>
  Array.from(s.replace(LONE_SURROGATE, "\uFFFD")).slice(0, PUSH_NAME_CHARS).join("");

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The data fields of a job's message. `sent_at` (the send time) beside `expires_at` lets an
 * app take the ring time left (expires_at - sent_at) rather than trust its own clock.
 */
export function pushData(job: PushJob, sentAt: number = Date.now()): Record<string, string> {
  const data: Record<string, string> = {
    type: job.type,
    call_id: job.call_id,
    caller_id: job.caller_id,
    caller_name: pushName(job.caller_name),
    call_type: String(job.call_type),
    expires_at: new Date(job.expires_at).toISOString(),
    sent_at: new Date(sentAt).toISOString(),
  };
  if (job.type === "cancel" && job.reason) data.reason = job.reason;
  if (job.type === "ring" && job.push) {
    // Built here from the resolved, normalized caller name: a caller's own text never shows
    // as who is calling (docs/protocol.md#names); it rides along untouched in `payload`.
    data.title = pushName(job.caller_name);
    data.content = job.call_type === 2 ? "Incoming video call" : "Incoming voice call";
    data.payload = job.push.payload;
  }
  return data;
}

/** How long the message may wait for its device, ms: the ring time left. */
export function ttlMs(m: PushMessage, now: number): number {
  const left = Math.max(0, m.expires_at - now);
  return m.data.type === "cancel" ? Math.max(left, CANCEL_MIN_TTL_MS) : left;
}

/**
 * The FCM v1 message (firebase-admin's `Message`): data only, TTL the ring time left
 * (`android.ttl` is in milliseconds in firebase-admin), collapsed by call id. A ring goes at
 * high priority; a cancel at normal: the app shows a "Missed call" for it, but FCM demotes
 * apps whose high-priority messages show nothing, so a cancel never claims urgency. On
 * iOS through FCM it is a background push (priority 5, as Apple requires for a push with
 * only `content-available`); the ring of an iOS device with a VoIP token goes by APNs instead.
 */
export function fcmMessage(m: PushMessage, now: number): Message & { token: string } {
  const ttl = ttlMs(m, now);
  const urgent = m.data.type === "ring";
  const expiresS = Math.floor((now + ttl) / 1000);
  return {
    token: m.token,
    data: m.data,
    android: { priority: urgent ? "high" : "normal", ttl, collapseKey: m.collapse_key },
    apns: {
      headers: {
        "apns-push-type": "background",
        "apns-priority": "5",
        "apns-expiration": String(expiresS),
        "apns-collapse-id": m.collapse_key.slice(0, 64),
      },
      payload: { aps: { contentAvailable: true } },
    },
    webpush: {
      headers: {
        Urgency: urgent ? "high" : "normal",
        TTL: String(Math.floor(ttl / 1000)),
        // Web Push's collapse key: at most 32 URL-safe characters.
        ...(/^[A-Za-z0-9_-]{1,32}$/.test(m.collapse_key) ? { Topic: m.collapse_key } : {}),
      },
    },
  };
}

/** An APNs VoIP request: the path, headers (but the JWT) and JSON body. */
export function apnsRequest(
  m: PushMessage,
  topic: string,
): { path: string; headers: Record<string, string>; body: string } {
  return {
    path: `/3/device/${m.token}`,
    headers: {
      "apns-push-type": "voip",
      "apns-topic": topic,
      "apns-priority": "10",
      "apns-expiration": String(Math.floor(m.expires_at / 1000)),
      "apns-collapse-id": m.collapse_key.slice(0, 64),
      "content-type": "application/json",
    },
    body: JSON.stringify(m.data),
  };
}

/** A job's messages, one per device: VoIP for an iOS ring with a VoIP token, else FCM. */
export function messagesFor(
  jobId: string,
  job: PushJob,
  devices: readonly DeviceTokens[],
  voip: boolean,
  now: number = Date.now(),
): PushMessage[] {
  const data = pushData(job, now);
  const out: PushMessage[] = [];
  for (const d of devices) {
    const useVoip = voip && job.type === "ring" && d.platform === "ios" && !!d.voip_token;
    const token = useVoip ? d.voip_token : d.fcm_token;
    if (!token) continue;
    out.push({
      job_id: jobId,
      uid: job.uid,
      device_id: d.device_id,
      channel: useVoip ? "voip" : "fcm",
      token,
      data,
      expires_at: job.expires_at,
      collapse_key: job.call_id,
      ...(useVoip && d.apns_env ? { apns_env: d.apns_env } : {}),
    });
  }
  return out;
}

/** A device as a push job records it. */
export interface DeviceTokens {
  device_id: string;
  platform: "ios" | "android" | "web";
  fcm_token: string | null;
  voip_token: string | null;
  /** The APNs environment given at registerDevice; absent or null: unknown. */
  apns_env?: ApnsEnv | null;
}

/**
 * Whether a startCall `push` fits the push services' limits once encoded
 * (docs/protocol.md#offline-push): FCM allows 4096 bytes of data (keys and values, counted
 * as sent, i.e. after JSON escaping), APNs 5120 bytes of VoIP payload (the whole JSON body).
 * A ring that does not fit would fail at send time with nobody told, so startCall refuses
 * it. The fixed fields are counted at their largest, bar the caller's id, which is known.
 */
import { DomainError } from "./errors.js";
import type { PushConfig } from "./types.js";

export const FCM_DATA_LIMIT = 4096;
export const APNS_PAYLOAD_LIMIT = 5120;
/** Names in a push are cut to this many characters (pushData), so their room is bounded. */
export const PUSH_NAME_CHARS = 64;

const utf8 = new TextEncoder();
const bytes = (s: string) => utf8.encode(s).length;
/** A string's bytes inside a JSON string: what FCM and APNs count. */
export const escapedBytes = (s: string) => bytes(JSON.stringify(s)) - 2;

/**
 * The largest value each fixed field of a ring can take, escaped: a 128-character call id
 * (ASCII only, by its schema), an ISO time of 24 characters, a name of 64 characters at
 * 6 bytes each (a control character escaped as \u00XX; pushData drops lone surrogates).
 */
const WORST_FIXED: Record<string, number> = {
  type: bytes("ring"),
  call_id: 128,
  caller_name: PUSH_NAME_CHARS * 6,
  // The server builds the title from the caller's name and the content from the call type
  // (pushData): the caller's own title and content are never sent, so they never count.
  title: PUSH_NAME_CHARS * 6,
  content: bytes("Incoming video call"),
  call_type: 1,
  expires_at: 24,
  sent_at: 24,
};

/** The ring's data fields' sizes: each key and its escaped value, in bytes. */
function ringFields(push: PushConfig, callerId: string): [key: string, valueBytes: number][] {
  return [
    ...Object.entries(WORST_FIXED),
    ["caller_id", escapedBytes(callerId)],
    ["payload", escapedBytes(push.payload)],
  ];
}

/** FCM's count: the keys' and values' bytes. */
export function fcmDataBytes(push: PushConfig, callerId: string): number {
  return ringFields(push, callerId).reduce((n, [k, v]) => n + escapedBytes(k) + v, 0);
}

/** APNs' count: the JSON object `{"k":"v",…}` the VoIP request carries. */
export function apnsPayloadBytes(push: PushConfig, callerId: string): number {
  const fields = ringFields(push, callerId);
  const each = fields.reduce((n, [k, v]) => n + escapedBytes(k) + v + 5, 0); // "k":"v"
  return 2 + each + (fields.length - 1); // braces and commas
}

/** Why `push` cannot go, or null when it fits both services. */
export function pushTooBig(push: PushConfig, callerId: string): string | null {
  const fcm = fcmDataBytes(push, callerId);
  if (fcm > FCM_DATA_LIMIT) {
    return (
      `the ring would carry ${fcm} bytes of data once encoded, over FCM's ` +
      `${FCM_DATA_LIMIT}: shorten payload by ${fcm - FCM_DATA_LIMIT} bytes ` +
      `(counted after JSON escaping, UTF-8)`
    );
  }
  const apns = apnsPayloadBytes(push, callerId);
  if (apns > APNS_PAYLOAD_LIMIT) {
    return (
      `the ring's VoIP payload would be ${apns} bytes, over APNs' ${APNS_PAYLOAD_LIMIT}: ` +
      `shorten payload by ${apns - APNS_PAYLOAD_LIMIT} bytes`
    );
  }
  return null;
}

/** startCall's refusal of a `push` that does not fit: invalid-argument, field `push`. */
export function checkPushSize(push: PushConfig | undefined, callerId: string): void {
  const why = push ? pushTooBig(push, callerId) : null;
  if (why) {
    throw new DomainError("invalid_argument", "invalid_argument", `push: ${why}`, {
      field: "push",
    });
  }
}

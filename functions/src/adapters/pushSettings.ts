/**
 * Which senders carry the pushes (docs/protocol.md#offline-push): FCM through firebase-admin
 * always; APNs VoIP when its key, key id, team id and bundle id are all set (else iOS rings go
 * through FCM, and the functions say so when they load); in the local emulator stack, the
 * push recorder (RINGBACK_PUSH_RECORDER, set by the stack only) stands in for both.
 */
import { getMessaging } from "firebase-admin/messaging";
import { ApnsSender } from "./apnsSender.js";
import { FcmSender } from "./fcmSender.js";
import type { Senders } from "./pushDelivery.js";
import { RecorderSender } from "./pushRecorder.js";
import { APNS_BUNDLE_ID, APNS_HOST, APNS_KEY_ID, APNS_TEAM_ID } from "../params.js";

export interface VoipSettings {
  enabled: boolean;
  /** Which params are missing, when not enabled. */
  missing: string[];
  bundleId: string;
  keyId: string;
  teamId: string;
  origin: string;
}

export function voipSettings(key?: string): VoipSettings {
  const got: [string, string][] = [
    ["RINGBACK_APNS_BUNDLE_ID", APNS_BUNDLE_ID.value()],
    ["RINGBACK_APNS_KEY_ID", APNS_KEY_ID.value()],
    ["RINGBACK_APNS_TEAM_ID", APNS_TEAM_ID.value()],
  ];
  if (key !== undefined) got.push(["RINGBACK_APNS_KEY", key]);
  const missing = got.filter(([, v]) => v.trim() === "").map(([n]) => n);
  return {
    enabled: missing.length === 0,
    missing,
    bundleId: APNS_BUNDLE_ID.value(),
    keyId: APNS_KEY_ID.value(),
    teamId: APNS_TEAM_ID.value(),
    origin: `https://${APNS_HOST.value()}`,
  };
}

/** The push recorder's address in the emulator stack, or undefined. */
export const recorderHost = (): string | undefined =>
  process.env.FUNCTIONS_EMULATOR === "true" ? process.env.RINGBACK_PUSH_RECORDER : undefined;

let cached: { key: string; senders: Senders } | undefined;

/** The senders for this instance (reused across tasks: one APNs connection). */
export function pushSenders(apnsKey: string): Senders {
  if (cached?.key === apnsKey) return cached.senders;
  const recorder = recorderHost();
  let senders: Senders;
  if (recorder) {
    const topic = `${APNS_BUNDLE_ID.value() || "app.ringback.example"}.voip`;
    senders = {
      fcm: new RecorderSender(recorder, "fcm", topic),
      voip: new RecorderSender(recorder, "voip", topic),
    };
  } else {
    const v = voipSettings(apnsKey);
    senders = {
      fcm: new FcmSender((m) => getMessaging().sendEach(m)),
      voip: v.enabled
        ? new ApnsSender({
            origin: v.origin,
            key: apnsKey,
            keyId: v.keyId,
            teamId: v.teamId,
            bundleId: v.bundleId,
          })
        : null,
    };
  }
  cached = { key: apnsKey, senders };
  return senders;
}

/**
 * Which senders carry the pushes (docs/protocol.md#offline-push): FCM through firebase-admin
 * always; APNs VoIP when its key, key id, team id and bundle id are all set and the key parses
 * (else iOS rings go through FCM, and the functions say so when they load: a bad key turns
 * VoIP off, never FCM); in the local emulator stack, the push recorder stands in for both
 * (dev/pushRecorder.ts, put in place by platform.ts through standInSenders).
 */
import { getMessaging } from "firebase-admin/messaging";
import { APNS_HOSTS, ApnsSender, parseApnsKey } from "./apnsSender.js";
import { logs } from "../../adapters/logs.js";
import type { ApnsEnv } from "./messages.js";
import { FcmSender } from "./fcmSender.js";
import type { Senders } from "./delivery.js";
import { APNS_BUNDLE_ID, APNS_HOST, APNS_KEY, APNS_KEY_ID, APNS_TEAM_ID } from "../../params.js";

export interface VoipSettings {
  enabled: boolean;
  /** Which params are missing, when not enabled. */
  missing: string[];
  bundleId: string;
  keyId: string;
  teamId: string;
  origin: string;
  /** Per device environment: Apple's hosts, or RINGBACK_APNS_HOST for both when it is another. */
  origins: Record<ApnsEnv, string>;
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
    origins: apnsOrigins(APNS_HOST.value()),
  };
}

/** A device's environment picks Apple's host; any other RINGBACK_APNS_HOST (a test) takes both. */
export function apnsOrigins(host: string): Record<ApnsEnv, string> {
  const apple = Object.values(APNS_HOSTS).includes(host);
  return {
    production: `https://${apple ? APNS_HOSTS.production : host}`,
    sandbox: `https://${apple ? APNS_HOSTS.sandbox : host}`,
  };
}

/** The VoIP sender for `apnsKey`, or null (VoIP off: unset, or a key that does not parse). */
export function voipSender(apnsKey: string): ApnsSender | null {
  const v = voipSettings(apnsKey);
  if (!v.enabled) return null;
  const parsed = parseApnsKey(apnsKey);
  if ("error" in parsed) {
    logs.apnsKeyBad(parsed.error);
    return null;
  }
  return new ApnsSender({
    origin: v.origin,
    origins: v.origins,
    key: parsed.key,
    keyId: v.keyId,
    teamId: v.teamId,
    bundleId: v.bundleId,
  });
}

let cached: { key: string; senders: Senders } | undefined;
let standIn: Senders | undefined;

/**
 * Senders that take the place of FCM and APNs for every key: the emulator stack's push
 * recorder, chosen by the composition root (platform.ts); never set in a deployment.
 */
export function standInSenders(senders: Senders | undefined): void {
  standIn = senders;
  cached = undefined;
}

/** The senders for this instance (reused across tasks: one APNs connection). */
export function pushSenders(apnsKey: string): Senders {
  if (standIn) return standIn;
  if (cached?.key === apnsKey) return cached.senders;
  const senders: Senders = {
    fcm: new FcmSender((m) => getMessaging().sendEach(m)),
    voip: voipSender(apnsKey),
  };
  cached = { key: apnsKey, senders };
  return senders;
}

/**
 * The senders an inline push (inline.ts) may use in this function, and whether it may ring.
 * With VoIP configured, a ring needs the APNs key, a secret only the functions that bind it
 * read (pushTask, startCall, inviteToCall, callApi: triggers.ts); elsewhere (a timeout's
 * deadline task, say) only cancels go inline, which never go as VoIP, and rings wait for
 * the task, so that an iOS device is never rung through FCM for want of the key.
 */
export function inlineSenders(): { senders: Senders; rings: boolean } {
  if (standIn) return { senders: standIn, rings: true };
  const key = process.env[APNS_KEY.name]; // set only where the function binds it
  if (key === undefined && voipSettings().enabled)
    return { senders: pushSenders(""), rings: false };
  return { senders: pushSenders(key ?? ""), rings: true };
}

/**
 * Whether this instance serves the push task (its function's name, deployed or emulated):
 * `pushTask` or one of its other queues' `pushTask1` … `pushTask7` (queue.ts).
 */
const servesPushTask = () =>
  /pushtask\d?$/i.test(process.env.FUNCTION_TARGET ?? process.env.K_SERVICE ?? "");

/**
 * At an instance's start (onInit): the push task's instance checks its APNs key at once
 * (one ERROR if it does not parse; VoIP off, FCM on) and runs the FCM dry-run self-check in
 * the background. Best effort: it never throws and never holds the start up.
 */
export function checkPushAtStart(apnsKey: () => string): void {
  if (standIn || !servesPushTask()) return;
  try {
    pushSenders(apnsKey());
  } catch {
    return; // the task reports it on its own
  }
  // Loaded here, not at the top: platform.ts imports this module, and a cold start of every
  // function must not load Firestore's client before its first request (index.ts).
  void Promise.all([import("./selfCheck.js"), import("../../adapters/store/firestore.js")])
    .then(([check, fs]) =>
      check.pushSelfCheck(fs.firestore(), (m) => getMessaging().sendEach(m, true)),
    )
    .then((r) => logs.pushSelfCheck(r))
    .catch((e: unknown) => logs.pushSelfCheck({ ok: false, detail: `not run: ${String(e)}` }));
}

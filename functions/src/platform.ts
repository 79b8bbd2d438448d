/**
 * Platform wiring, imported first by index.ts: the region and instance limits every function
 * shares (setGlobalOptions must run before any function is defined), and the admin app,
 * initialised once before the first request (onInit, so loading the module stays cheap),
 * after the params are checked; and the dev-only hooks (bench timings, the push recorder)
 * when the environment asks for them.
 */
import { initializeApp } from "firebase-admin/app";
import { onInit } from "firebase-functions/v2/core";
import { setGlobalOptions } from "firebase-functions/v2/options";
import { webhookSettings } from "./channels/webhooks/settings.js";
import { logs } from "./adapters/logs.js";
import { checkPushAtStart, standInSenders, voipSettings } from "./channels/push/settings.js";
import { installTimings } from "./adapters/timings.js";
import {
  checkParams,
  CONCURRENCY,
  MAX_INSTANCES,
  MEMORY_MIB,
  MIN_INSTANCES,
  APNS_BUNDLE_ID,
  APNS_KEY,
  PUSH_ENABLED,
  REGION,
} from "./params.js";

// Capacity from params, resolved at deploy (SCALE.md#configured-for-load): every function
// scales to MAX_INSTANCES instances of RINGBACK_CONCURRENCY requests each, 1 CPU (so that
// concurrency above 1 is allowed), MEMORY_MIB each, MIN_INSTANCES kept warm.
setGlobalOptions({
  region: REGION,
  cpu: 1,
  concurrency: CONCURRENCY,
  maxInstances: MAX_INSTANCES,
  minInstances: MIN_INSTANCES,
  memory: MEMORY_MIB,
});

/**
 * In the emulator, the service account firebase-admin names on enqueued tasks (the one it
 * falls back to there): without it, every first enqueue asks the absent metadata server.
 */
const EMULATED_SERVICE_ACCOUNT = "emulated-service-acct@email.com";

onInit(async () => {
  checkParams(); // a param out of range stops the instance here, with its name and range
  const emulated = process.env.FUNCTIONS_EMULATOR === "true";
  initializeApp(emulated ? { serviceAccountId: EMULATED_SERVICE_ACCOUNT } : undefined);
  webhookSettings(); // a misconfigured webhook URL fails every function's start, loudly
  const recorder = emulated ? process.env.RINGBACK_PUSH_RECORDER : undefined;
  await installDevHooks(recorder);
  const voip = voipSettings();
  if (PUSH_ENABLED.value() && !voip.enabled && !recorder) logs.voipOff(voip.missing);
  if (PUSH_ENABLED.value()) checkPushAtStart(() => APNS_KEY.value());
});

/**
 * Dev-only code (functions/src/dev), loaded only when the environment asks and never
 * imported by a handler: the bench's timings when RINGBACK_BENCH_TIMINGS=1 (the bench's
 * stack), and in the emulator stack the push recorder (RINGBACK_PUSH_RECORDER, set by the
 * stack only) in place of FCM and APNs.
 */
async function installDevHooks(recorder: string | undefined): Promise<void> {
  if (process.env.RINGBACK_BENCH_TIMINGS === "1") {
    installTimings((await import("./dev/benchTimings.js")).benchTimings);
  }
  if (recorder) {
    const topic = `${APNS_BUNDLE_ID.value() || "app.ringback.example"}.voip`;
    standInSenders((await import("./dev/pushRecorder.js")).recorderSenders(recorder, topic));
  }
}

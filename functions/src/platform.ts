/**
 * Platform wiring, imported first by index.ts: the region and instance limits every function
 * shares (setGlobalOptions must run before any function is defined), and the admin app,
 * initialised once before the first request (onInit, so loading the module stays cheap),
 * after the params are checked.
 */
import { initializeApp } from "firebase-admin/app";
import { onInit, setGlobalOptions } from "firebase-functions/v2";
import { webhookSettings } from "./adapters/webhookSettings.js";
import { logs } from "./adapters/logs.js";
import { recorderHost, voipSettings } from "./adapters/pushSettings.js";
import { checkParams, PUSH_ENABLED } from "./params.js";

/** Where Ringback's functions and task queues run. */
export const REGION = "us-central1";

setGlobalOptions({ region: REGION, maxInstances: 100 });

onInit(() => {
  checkParams(); // a param out of range stops the instance here, with its name and range
  initializeApp();
  webhookSettings(); // a misconfigured webhook URL fails every function's start, loudly
  const voip = voipSettings();
  if (PUSH_ENABLED.value() && !voip.enabled && !recorderHost()) logs.voipOff(voip.missing);
});

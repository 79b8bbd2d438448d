/**
 * Where this deployment runs and how its functions are named: read by the task queues
 * (tasks/enqueue.ts) and by index.ts, so that no adapter imports the composition root.
 */
import { REGION } from "../params.js";

/**
 * Where Ringback's functions and task queues run: the extension's LOCATION when installed as
 * an extension, else the RINGBACK_REGION param (us-central1 unless set; the emulators keep it).
 */
export const region = (): string =>
  // Outside a functions runtime (a test or script using the adapters) an unset param reads "".
  process.env.LOCATION || REGION.value() || "us-central1";

/** The extension instance's id when installed as one: its functions are named `ext-<id>-…`. */
export const extensionId = (): string | undefined => process.env.EXT_INSTANCE_ID || undefined;

/**
 * Before each function's name when installed as a function kit: firebase-tools deploys (and
 * emulates) kit instance <id>'s functions as `kit-<id>-<name>` and sets
 * FIREBASE_KIT_INSTANCE_ID in their environment; "" for the codebase and the extension.
 */
export const kitPrefix = (): string =>
  process.env.FIREBASE_KIT_INSTANCE_ID ? `kit-${process.env.FIREBASE_KIT_INSTANCE_ID}-` : "";

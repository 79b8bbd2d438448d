/**
 * The callables run in this process: a test user's `call` hands its request to the same
 * handler the deployed function runs (functions/src/functions/*.ts, through `validated`:
 * auth, App Check, the schema, the error map), against the same emulators, with the same
 * params and the same task queues and push recorder as the stack's functions. What it skips
 * is the functions emulator's HTTP hop and its one-request-per-worker processes (each new one
 * a second or more of CPU on a 2-core machine): the integration suites test Ringback, not
 * the emulator. The callable protocol itself (HTTP, the SDK's error shape) is covered by the
 * full-stack suites (test/client, test/browser, the HTTP door, timing), which never set this.
 *
 * On when RINGBACK_TEST_IN_PROCESS=1 (scripts/test.mjs sets it for the in-process run).
 */
import { getApps, initializeApp } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import type { CallableRequest } from "firebase-functions/v2/https";
import { FunctionsError } from "firebase/functions";
import { env } from "./env.js";

export const inProcess = process.env.RINGBACK_TEST_IN_PROCESS === "1";

type Handler = (request: CallableRequest<unknown>) => Promise<unknown>;
const handlers = new Map<string, Promise<Handler>>();
let ready: Promise<void> | undefined;

/**
 * As the stack's functions see it: the emulator flag (task queues go to the scheduled-task
 * stand-in, pushes to the recorder), every param the stack did not set at its default (a
 * functions runtime resolves defaults; outside one an unset param reads "" or 0), and the
 * default admin app the handlers use.
 */
async function prepare(): Promise<void> {
  process.env.FUNCTIONS_EMULATOR = "true";
  const params = (await import("../../functions/src/params.js")) as Record<string, unknown>;
  for (const p of Object.values(params)) {
    const param = p as { name?: unknown; options?: { default?: unknown } };
    if (typeof param?.name !== "string" || !param.name.startsWith("RINGBACK_")) continue;
    const dflt = param.options?.default;
    if (process.env[param.name] === undefined && dflt !== undefined) {
      process.env[param.name] = String(dflt);
    }
  }
  if (!getApps().some((a) => a.name === "[DEFAULT]")) initializeApp({ projectId: env.projectId });
  // Pushes sent from the request (channels/push/inline.ts) go to the stack's recorder, as the
  // stack's functions' do (platform.ts installDevHooks).
  const recorder = process.env.RINGBACK_PUSH_RECORDER;
  if (recorder) {
    const { recorderSenders } = await import("../../functions/src/dev/pushRecorder.js");
    const { standInSenders } = await import("../../functions/src/channels/push/settings.js");
    const topic = `${process.env.RINGBACK_APNS_BUNDLE_ID || "app.ringback.example"}.voip`;
    standInSenders(recorderSenders(recorder, topic));
  }
}

function handler(name: string): Promise<Handler> {
  let h = handlers.get(name);
  if (!h) {
    h = import(`../../functions/src/functions/${name}.ts`).then((m: Record<string, unknown>) => {
      const fn = m[name];
      if (typeof fn !== "function")
        throw new Error(`functions/src/functions/${name}.ts exports no ${name}`);
      return fn as Handler;
    });
    handlers.set(name, h);
  }
  return h;
}

/**
 * Runs callable `name` for the user whose ID token is `idToken`, as the callable framework
 * would: the token verified (by the Auth emulator), then the handler; an HttpsError reaches
 * the test as the web SDK would surface it (a FunctionsError, code `functions/<code>`).
 */
export async function callInProcess<T>(name: string, idToken: string, data: unknown): Promise<T> {
  ready ??= prepare();
  await ready;
  const token = await getAuth().verifyIdToken(idToken);
  const request = {
    data,
    auth: { uid: token.uid, token, rawToken: idToken },
    rawRequest: { headers: {} },
    acceptsStreaming: false,
  } as unknown as CallableRequest<unknown>;
  const fn = await handler(name);
  // The answer crosses JSON as the callable's would (dates, undefined fields).
  const wire = <V>(v: V): V => (v === undefined ? v : JSON.parse(JSON.stringify(v)));
  try {
    return wire(await fn(request)) as T;
  } catch (e) {
    const err = e as {
      httpErrorCode?: unknown;
      code?: unknown;
      message?: string;
      details?: unknown;
    };
    if (typeof err.code === "string" && err.httpErrorCode !== undefined) {
      throw new FunctionsError(err.code as never, err.message ?? "", wire(err.details));
    }
    throw new FunctionsError("internal" as never, "INTERNAL");
  }
}

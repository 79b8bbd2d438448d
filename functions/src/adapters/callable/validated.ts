/**
 * The one callable wrapper: requires auth (and App Check when the param says so), validates
 * `data` with a zod schema (errors become `invalid-argument` naming the field), refuses a body
 * that names another user as the actor, maps every thrown error through toHttpsError, and logs
 * one `command` event per request (what it answered). `validated` makes the handler (what each
 * functions/*.ts exports, loaded on its function's first request, index.ts); the HTTP door
 * (callApi) runs the same handlers, so its commands are checked and logged alike.
 */
import { HttpsError, type CallableRequest } from "firebase-functions/v2/https";
import type { z } from "zod";
import { COMMAND_BURST, COMMAND_RATE_PER_MINUTE, ENFORCE_APP_CHECK } from "../../params.js";
import { explainIssue } from "../../model/commands.js";
import { clock, mark, timed } from "../timings.js";
import { chargeCommand } from "./commandLimit.js";
import { toHttpsError, validationError } from "./httpsErrors.js";
import { logs } from "../logs.js";

export interface Caller {
  uid: string;
  /** The display name in the ID token, if any. */
  name: string;
}

/** What a callable runs for a request (index.ts wires it, loaded on the first request). */
export type CallableHandler = (request: CallableRequest<unknown>) => Promise<unknown>;

/** The checks every callable makes before its handler runs, around the handler, and its log. */
export function validated<S extends z.ZodType, R>(
  schema: S,
  handler: (caller: Caller, data: z.output<S>, request: CallableRequest<unknown>) => Promise<R>,
): CallableHandler {
  // The deployed function's name (set by Cloud Functions and the emulator alike), for the logs.
  const command = () => process.env.FUNCTION_TARGET ?? "callable";
  return async (request: CallableRequest<unknown>) => {
    const data = request.data as { call_id?: unknown } | null;
    const by = request.auth?.uid ?? "(signed out)";
    try {
      const answer = await answerCall(request, schema, handler);
      const callId = (answer as { call_id?: unknown } | null)?.call_id ?? data?.call_id;
      logs.command(command(), by, typeof callId === "string" ? callId : undefined, { ok: true });
      return answer;
    } catch (e) {
      const err = e instanceof HttpsError ? e : toHttpsError(e);
      const details = err.details as { reason?: unknown } | undefined;
      logs.command(command(), by, typeof data?.call_id === "string" ? data.call_id : undefined, {
        ok: false,
        code: err.code,
        reason: typeof details?.reason === "string" ? details.reason : err.code,
        refusal: err.message,
      });
      throw err;
    }
  };
}

async function answerCall<S extends z.ZodType, R>(
  request: CallableRequest<unknown>,
  schema: S,
  handler: (caller: Caller, data: z.output<S>, request: CallableRequest<unknown>) => Promise<R>,
): Promise<unknown> {
  if (!request.auth) {
    throw new HttpsError("unauthenticated", "Sign in first.", { reason: "unauthenticated" });
  }
  // App Check, switchable by a param (RINGBACK_ENFORCE_APP_CHECK) rather than fixed at
  // build time: the SDK verifies a token when one is sent; this refuses requests without.
  if (!appCheckPasses(ENFORCE_APP_CHECK.value(), request.app)) {
    throw new HttpsError("unauthenticated", "A valid App Check token is required.", {
      reason: "app_check",
    });
  }
  const auth = request.auth;
  // Every command, well formed or not, takes a token of the user's general bucket first
  // (commandLimit.ts: in memory, so no read, write or round trip is added to any command).
  try {
    // Outside a functions runtime (unit tests) an unset param reads 0: the defaults then.
    chargeCommand(auth.uid, Date.now(), {
      perMinute: COMMAND_RATE_PER_MINUTE.value() || 300,
      burst: COMMAND_BURST.value() || 200,
    });
  } catch (e) {
    throw toHttpsError(e);
  }
  const { value, timings } = await timed(async () => {
    const t0 = clock();
    const parsed = schema.safeParse(request.data ?? {}, { error: explainIssue });
    if (!parsed.success) throw validationError(parsed.error);
    assertSelf(auth.uid, parsed.data);
    mark("validation", t0);
    const token = auth.token as { name?: unknown };
    const caller = { uid: auth.uid, name: typeof token.name === "string" ? token.name : "" };
    try {
      return await handler(caller, parsed.data, request);
    } catch (e) {
      throw toHttpsError(e);
    }
  });
  // Only when the bench's stack installs its hook (timings.ts): never in a deployment's answers.
  return timings && value && typeof value === "object" ? { ...value, timings_ms: timings } : value;
}

/**
 * A body that names the acting user (`id`, or `caller.id` in startCall, as ZEGO Call's
 * protocol sends them) must name the signed-in user: identity comes from the token only.
 */
function assertSelf(uid: string, data: unknown): void {
  const body = data as { id?: unknown; caller?: { id?: unknown } } | null;
  const named: [string, unknown][] = [
    ["id", body?.id],
    ["caller.id", body?.caller?.id],
  ];
  for (const [field, value] of named) {
    if (value !== undefined && value !== uid) {
      throw new HttpsError("permission-denied", `${field} must be your own uid.`, {
        reason: "impersonation",
        field,
      });
    }
  }
}

/** Whether a request passes App Check: always when not enforced, else with a verified app. */
export function appCheckPasses(enforce: boolean, app: CallableRequest["app"]): boolean {
  return !enforce || app !== undefined;
}

/**
 * The one callable wrapper: requires auth, validates `data` with a zod schema (errors become
 * `invalid-argument` naming the field), and maps every thrown error through toHttpsError.
 */
import { onCall, HttpsError, type CallableRequest } from "firebase-functions/v2/https";
import type { z } from "zod";
import { toHttpsError, validationError } from "./httpsErrors.js";

export interface Caller {
  uid: string;
  /** The display name in the ID token, if any. */
  name: string;
}

export function validatedOnCall<S extends z.ZodType, R>(
  schema: S,
  handler: (caller: Caller, data: z.output<S>, request: CallableRequest<unknown>) => Promise<R>,
) {
  return onCall({ region: "us-central1" }, async (request: CallableRequest<unknown>) => {
    if (!request.auth) {
      throw new HttpsError("unauthenticated", "Sign in first.", { reason: "unauthenticated" });
    }
    const parsed = schema.safeParse(request.data ?? {});
    if (!parsed.success) throw validationError(parsed.error);
    const token = request.auth.token as { name?: unknown };
    const caller = {
      uid: request.auth.uid,
      name: typeof token.name === "string" ? token.name : "",
    };
    try {
      return await handler(caller, parsed.data, request);
    } catch (e) {
      throw toHttpsError(e);
    }
  });
}

/** A body that names the acting user must name the signed-in user. */
export function assertSelf(caller: Caller, named: string | undefined, field: string): void {
  if (named !== undefined && named !== caller.uid) {
    throw new HttpsError("permission-denied", `${field} must be your own uid.`, {
      reason: "impersonation",
      field,
    });
  }
}

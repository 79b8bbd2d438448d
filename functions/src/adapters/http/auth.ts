/**
 * The HTTP door's credentials, checked as the callable protocol checks them: a Firebase ID
 * token in `Authorization: Bearer …`, and an App Check token in `X-Firebase-AppCheck`
 * (verified when sent; required when RINGBACK_ENFORCE_APP_CHECK is on, which the callable
 * wrapper enforces for both doors).
 */
import { getAuth } from "firebase-admin/auth";
import type { CallableRequest, Request } from "firebase-functions/v2/https";
import { refusal, type HttpAnswer } from "./codes.js";

type AuthData = NonNullable<CallableRequest["auth"]>;
type AppCheckData = NonNullable<CallableRequest["app"]>;

export type Credentials = { auth: AuthData; app: AppCheckData | undefined };

/** The request's verified credentials, or the 401 answer for missing or bad ones. */
export async function credentials(
  req: Request,
  /** Ask Auth whether the token was revoked (a round trip: the stream's open, not commands). */
  checkRevoked = false,
): Promise<Credentials | HttpAnswer> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.header("authorization") ?? "");
  if (!match?.[1]) {
    return refusal(401, "unauthenticated", "Send Authorization: Bearer <Firebase ID token>.");
  }
  let auth: AuthData;
  try {
    const token = await getAuth().verifyIdToken(match[1], checkRevoked);
    auth = { uid: token.uid, token, rawToken: match[1] };
  } catch {
    return refusal(401, "unauthenticated", "The ID token is not valid.");
  }
  const appToken = req.header("x-firebase-appcheck");
  if (!appToken) return { auth, app: undefined };
  try {
    // Loaded on first use: most deployments send no App Check token, and every instance of
    // every function loads this module.
    const { getAppCheck } = await import("firebase-admin/app-check");
    const verified = await getAppCheck().verifyToken(appToken);
    return { auth, app: { appId: verified.appId, token: verified.token } };
  } catch {
    return refusal(401, "app_check", "The App Check token is not valid.");
  }
}

export const isAnswer = (x: Credentials | HttpAnswer): x is HttpAnswer => "status" in x;

// The app's own functions: a codebase of their own ("app" in firebase.json), deployed and
// emulated beside the Ringback kit, which never touches them (nor they it).
import { HttpsError, onCall } from "firebase-functions/v2/https";

/** Says who is signed in: the smallest callable an app might have beside Ringback's. */
export const whoAmI = onCall((request) => {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in first.");
  return { uid: request.auth.uid };
});

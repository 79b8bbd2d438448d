// The app's own functions: a codebase of their own ("app" in firebase.json), deployed and
// emulated beside the Ringback kit, which never touches them (nor they it).
import { getApps, initializeApp } from "firebase-admin/app";
import { getFirestore } from "firebase-admin/firestore";
import { onCustomEventPublished } from "firebase-functions/v2/eventarc";
import { HttpsError, onCall } from "firebase-functions/v2/https";

/** Says who is signed in: the smallest callable an app might have beside Ringback's. */
export const whoAmI = onCall((request) => {
  if (!request.auth) throw new HttpsError("unauthenticated", "Sign in first.");
  return { uid: request.auth.uid };
});

/**
 * Reacts to Ringback's callback events with no webhook server: with RINGBACK_EVENTARC_CHANNEL
 * set (here the default channel, locations/us-central1/channels/firebase), each new call is
 * published as a `ringback.v1.call_create` custom event. This one records what it received
 * in the app's own collection, keyed by the event id (a redelivery overwrites, never doubles).
 */
export const onRingbackEvent = onCustomEventPublished("ringback.v1.call_create", async (event) => {
  if (getApps().length === 0) initializeApp();
  const { id, type, source, subject, time, data } = event;
  await getFirestore()
    .collection("app_ringback_events")
    .doc(id)
    .set({ id, type, source, subject: subject ?? null, time, data });
});

// Rings a user through a running Ringback (`npm start`), with the firebase web SDK only.
// Usage: node examples/ring.mjs
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, createUserWithEmailAndPassword, getAuth } from "firebase/auth";
import { connectFirestoreEmulator, doc, getFirestore, onSnapshot } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, httpsCallable } from "firebase/functions";

const projectId = process.env.GCLOUD_PROJECT ?? "demo-ringback";
// The emulators of `npm start` (or those `npm run with-emulators` names in the environment).
const authHost = process.env.FIREBASE_AUTH_EMULATOR_HOST ?? "127.0.0.1:9099";
const [firestoreHost, firestorePort] = (
  process.env.FIRESTORE_EMULATOR_HOST ?? "127.0.0.1:8080"
).split(":");
const functionsUrl = new URL(process.env.FUNCTIONS_EMULATOR_ORIGIN ?? "http://127.0.0.1:5001");
// Installed as an extension, the functions are named after the instance: "ext-ringback-".
const prefix = process.env.RINGBACK_FUNCTIONS_PREFIX ?? "";

// One app per signed-in user, all pointed at the local emulators.
async function signUp(name) {
  const app = initializeApp({ projectId, apiKey: "demo-key" }, name);
  const auth = getAuth(app);
  connectAuthEmulator(auth, `http://${authHost}`, { disableWarnings: true });
  const { user } = await createUserWithEmailAndPassword(
    auth,
    `${name}-${Date.now()}@example.com`,
    "secret-pw",
  );
  const functions = getFunctions(app, "us-central1");
  connectFunctionsEmulator(functions, functionsUrl.hostname, Number(functionsUrl.port));
  const db = getFirestore(app);
  connectFirestoreEmulator(db, firestoreHost, Number(firestorePort));
  const call = (fn, data) => httpsCallable(functions, prefix + fn)(data).then((r) => r.data);
  return { uid: user.uid, db, call };
}

const alice = await signUp("alice");
const bob = await signUp("bob");

// Bob is signed in on two devices: each gets a ring push (an FCM data message; the iPad's
// goes as an APNs VoIP push), and the one that does not answer gets a cancel push. Under
// `npm start` a local recorder stands in for FCM and APNs and prints them in its log.
await bob.call("registerDevice", {
  device_id: "bob-phone",
  platform: "android",
  fcm_token: `fcm-phone-${bob.uid}`,
});
await bob.call("registerDevice", {
  device_id: "bob-ipad",
  platform: "ios",
  fcm_token: `fcm-ipad-${bob.uid}`,
  voip_token: `voip-ipad-${bob.uid}`,
});

// Bob's app subscribes to his live state: this is how an invitation reaches him. An app
// subscribes at sign-in and acts once the listener is live (its first snapshot arrived).
let live;
const listening = new Promise((resolve) => (live = resolve));
const rang = new Promise((resolve) => {
  const stop = onSnapshot(doc(bob.db, "users", bob.uid), (snap) => {
    live();
    const me = snap.data();
    if (me?.status === "ringing") {
      stop();
      resolve(me.incoming);
    }
  });
});
await listening;

const { call_id } = await alice.call("startCall", { callees: [{ id: bob.uid }], type: 2 });
const incoming = await rang;
console.log(
  `bob's phone rings: call ${incoming.call_id} from ${incoming.caller.id}, answer by ${incoming.deadline_at.toDate().toISOString()}`,
);

// A person answers once their phone rings: against the local stack, wait for the ring push to
// reach Bob's phone (the recorder standing in for FCM, read through the stack's control API).
// An answer before the push goes out would cancel the ring unsent: nothing to show.
const control = process.env.RINGBACK_CONTROL;
for (let i = 0; control && i < 100; i++) {
  const q = `call_id=${call_id}&device_id=bob-phone&type=ring`;
  const pushes = await (await fetch(`http://${control}/pushes?${q}`)).json();
  if (pushes.length > 0) break;
  await new Promise((r) => setTimeout(r, 200));
}

console.log(
  "bob accepts on his phone:",
  await bob.call("acceptCall", { call_id, device_id: "bob-phone" }),
);
console.log("alice hangs up:", await alice.call("endCall", { call_id }));
console.log("the ring and cancel pushes are in npm start's log ([push] lines)");
process.exit(0);

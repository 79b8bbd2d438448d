// Rings a user through a running Ringback (`npm start`) over plain HTTP: `fetch` only, no
// Firebase SDK. Alice calls Bob with ZEGO Call's /call/start_call; Bob reads his notification
// stream (server-sent events), accepts when the invitation arrives, and Alice hangs up.
// Usage: node examples/http-client.mjs
const projectId = process.env.GCLOUD_PROJECT ?? "demo-ringback";
// The emulators of `npm start` (or those `npm run with-emulators` names in the environment).
const authHost = process.env.FIREBASE_AUTH_EMULATOR_HOST ?? "127.0.0.1:9099";
const functionsOrigin = process.env.FUNCTIONS_EMULATOR_ORIGIN ?? "http://127.0.0.1:5001";
const api = `${functionsOrigin}/${projectId}/us-central1/callApi`;

// An ID token from Firebase Auth's REST API (here its emulator; in production
// https://identitytoolkit.googleapis.com with your web API key).
async function signUp(name) {
  const url = `http://${authHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: `${name}-${Date.now()}@example.com`,
      password: "secret-pw",
      displayName: name,
      returnSecureToken: true,
    }),
  });
  const { localId, idToken } = await res.json();
  return { uid: localId, name, token: idToken };
}

// One command of ZEGO Call's request protocol: POST /call/<command>, answered {code, message}.
async function request(user, command, body) {
  const res = await fetch(`${api}/call/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
    body: JSON.stringify(body),
  });
  const answer = await res.json();
  if (answer.code !== 0) throw new Error(`${command}: ${res.status} ${JSON.stringify(answer)}`);
  return answer.data;
}

// The notification stream: yields {id, event, data} for each server-sent event. A client that
// stays connected reconnects when the server ends the stream, sending Last-Event-ID.
async function* notifications(user, signal) {
  const res = await fetch(`${api}/call/notifications`, {
    headers: { authorization: `Bearer ${user.token}` },
    signal,
  });
  if (res.status !== 200) throw new Error(`stream: ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const field = (name) =>
        block
          .split("\n")
          .find((l) => l.startsWith(`${name}: `))
          ?.slice(name.length + 2);
      if (block.startsWith(":")) yield { comment: block.slice(1).trim() };
      else if (field("data") !== undefined) {
        yield { id: field("id"), event: field("event"), data: JSON.parse(field("data")) };
      }
    }
  }
}

const alice = await signUp("alice");
const bob = await signUp("bob");

const stop = new AbortController();
const stream = notifications(bob, stop.signal);
await stream.next(); // the stream's opening comment: Bob is listening before Alice calls

const call_id = `http-demo-${Date.now()}`;
const started = await request(alice, "start_call", {
  call_id,
  caller: { id: alice.uid, name: alice.name },
  callees: [{ id: bob.uid, name: bob.name }],
  type: 1,
});
console.log("alice calls bob:", started);

for await (const n of stream) {
  if (n.comment) continue;
  console.log(`bob's stream: ${n.event} ${JSON.stringify(n.data)} (id ${n.id})`);
  if (n.event === "/call/notify_call_invited") {
    console.log("bob accepts:", await request(bob, "accept_call", { id: bob.uid, call_id }));
    console.log("alice hangs up:", await request(alice, "end_call", { id: alice.uid, call_id }));
  }
  if (n.event === "/call/notify_call_end") break;
}
stop.abort();

// The local push recorder: stands in for FCM and APNs in the emulator stack. The functions
// send each push message here instead (RINGBACK_PUSH_RECORDER, set in the emulator only),
// with its wire form (the FCM v1 message, or the APNs VoIP request's headers and body). It
//  - prints each one as one readable line (in `npm start`'s log),
//  - answers as the service would: a token that starts with "unregistered" is unregistered
//    (FCM registration-token-not-registered, APNs 410), one that starts with "flaky" fails
//    with a transient error the first time each job sends to it, one that starts with "hang"
//    holds the first answer for each job HANG_MS, then fails it as a timed-out send (a
//    sender that hangs past the inline budget), any other is delivered;
//  - hands the stack's control API (control.mjs) what it got: `GET /pushes?call_id=&uid=&
//    device_id=&type=&channel=` (JSON, oldest first, `ok` telling delivered ones), and
//    `DELETE /pushes`, which forgets them.
import http from "node:http";

/** How long a "hang" token's first send for a job is held before it fails. */
export const HANG_MS = 3000;

const FAIL = {
  fcm: {
    unregistered: "messaging/registration-token-not-registered",
    transient: "messaging/server-unavailable",
  },
  voip: { unregistered: "410 Unregistered", transient: "503 ServiceUnavailable" },
};

/** One readable line for a push. */
export function describePush(p) {
  const d = p.data ?? {};
  const who = `${p.uid}/${p.device_id}`;
  const what = d.type === "cancel" ? `cancel (${d.reason})` : "ring";
  const outcome = p.ok ? "" : `  ✗ ${p.code}`;
  return (
    `[push] ${what.padEnd(26)} → ${who} via ${p.channel === "voip" ? "APNs VoIP" : "FCM"}` +
    `  call ${d.call_id} from ${d.caller_name || d.caller_id}` +
    `${d.type === "ring" ? ` until ${d.expires_at}` : ""}${outcome}`
  );
}

/**
 * @param {{ host: string, port: number, log?: (line: string) => void }} o
 * @returns {Promise<{ close: () => Promise<void>, pushes: () => object[],
 *   routes: Record<string, import("./control.mjs").Route> }>}
 */
export function startPushRecorder({ host, port, log }) {
  const got = [];
  const flaky = new Set(); // job_id + device_id that already failed once
  let seq = 0;

  const outcomeOf = (channel, m) => {
    if (m.token.startsWith("unregistered")) {
      return { ok: false, error: "unregistered", code: FAIL[channel].unregistered };
    }
    const key = `${m.job_id}/${m.device_id}`;
    if ((m.token.startsWith("flaky") || m.token.startsWith("hang")) && !flaky.has(key)) {
      flaky.add(key);
      return { ok: false, error: "transient", code: FAIL[channel].transient };
    }
    return { ok: true };
  };

  const routes = {
    "GET /pushes": ({ url }) => {
      const match = (p) =>
        ["call_id", "type"].every(
          (k) => !url.searchParams.has(k) || p.data?.[k] === url.searchParams.get(k),
        ) &&
        ["uid", "device_id", "channel"].every(
          (k) => !url.searchParams.has(k) || p[k] === url.searchParams.get(k),
        );
      return [200, got.filter(match)];
    },
    "DELETE /pushes": () => {
      got.length = 0;
      return [200, {}];
    },
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://recorder");
    const answer = (status, body) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method !== "POST" || url.pathname !== "/push")
      return answer(404, { error: "not found" });
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        return answer(400, { error: "bad JSON" });
      }
      const channel = body.channel === "voip" ? "voip" : "fcm";
      const messages = body.messages ?? [];
      const hangs = messages.some(
        (m) => m.token?.startsWith("hang") && !flaky.has(`${m.job_id}/${m.device_id}`),
      );
      const outcomes = messages.map((m) => {
        const o = outcomeOf(channel, m);
        const p = { seq: ++seq, received_at: Date.now(), ...m, channel, ...o };
        got.push(p);
        log?.(describePush(p));
        return o;
      });
      if (hangs) setTimeout(() => answer(200, { outcomes }), HANG_MS);
      else answer(200, { outcomes });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () =>
      resolve({
        pushes: () => got,
        routes,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    );
  });
}

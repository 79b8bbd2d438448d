/**
 * A window that closes tells the others at once instead of leaving them to the heartbeat
 * timeout (60 s). On `pagehide`:
 * - calling (this window rang, nobody answered yet): withdraw through the HTTP door,
 *   `POST callApi/call/end_call` (the demo's advanced-mode calls; `cancel_call` in common mode);
 * - in a call on this device: quit through the `quitCall` callable (the door has no quit), so
 *   the others see "Call dropped: X left" at once (the demo rings in advanced mode).
 *
 * Why not `navigator.sendBeacon`: the door authenticates by `Authorization: Bearer <ID token>`
 * alone (functions/src/adapters/httpAuth.ts) and a beacon cannot carry a request header, so a
 * beacon would be refused 401 `unauthenticated`. `fetch(..., {keepalive: true})` outlives the
 * page like a beacon and carries the header. It goes to the page's own origin, which forwards
 * `/fn/*` to the functions (scripts/stack/demo.mjs, as Firebase Hosting rewrites would): a
 * cross-origin request with that header would need a CORS preflight, which the door allows
 * only to RINGBACK_HTTP_CORS_ORIGINS.
 *
 * A reload is a pagehide too: the same tab (its sessionStorage survives a reload, not a close)
 * that comes back within REJOIN_MS rejoins the call it quit.
 */
import type { Ringback } from "@ringback/client";
import { onIdTokenChanged, type Auth } from "firebase/auth";

const KEY = "ringback-demo.quit";
const REJOIN_MS = 15_000;

export function leaveOnPagehide(rb: Ringback, auth: Auth, fnBase: string): void {
  let token = "";
  // pagehide cannot wait for a promise: keep the current ID token at hand.
  onIdTokenChanged(auth, (user) => {
    token = "";
    void user?.getIdToken().then((t) => (token = t));
  });
  addEventListener("pagehide", () => {
    const s = rb.state;
    if (!token || !s.uid || !s.callId || !s.isThisDevice) return;
    const post = (path: string, body: unknown): void =>
      void fetch(`${fnBase}/${path}`, {
        method: "POST",
        keepalive: true,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).catch(() => undefined); // the page is gone: the heartbeat timeout stays the backstop
    if (s.status === "calling" && s.call?.caller.id === s.uid) {
      // An advanced call outlives a cancel (the caller stays in it, alone): end it, which the
      // server records as canceled while someone still rings (docs/protocol.md#call-outcomes).
      const command = s.call.mode === "advanced" ? "end_call" : "cancel_call";
      post(`callApi/call/${command}`, { id: s.uid, call_id: s.callId });
    } else if (s.status === "in_call" && s.call?.mode === "advanced") {
      post("quitCall", { data: { call_id: s.callId } });
      sessionStorage.setItem(KEY, JSON.stringify({ callId: s.callId, at: Date.now() }));
    }
  });
}

/** After a reload: rejoin the call this tab quit on its way out, if it is that recent. */
export function rejoinAfterReload(rb: Ringback): void {
  const raw = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  if (!raw) return;
  const { callId, at } = JSON.parse(raw) as { callId: string; at: number };
  if (Date.now() - at > REJOIN_MS) return;
  // The quit may land after this page's first snapshots: wait for this user to be idle.
  let done = false;
  const off = rb.subscribe((s) => {
    if (done) return;
    if (Date.now() - at > REJOIN_MS) done = true;
    else if (s.live && s.uid && s.status === "idle") {
      done = true;
      void rb.join(callId).catch(() => undefined); // ended meanwhile: nothing to rejoin
    }
    if (done) setTimeout(() => off()); // subscribe calls back before it returns `off`
  });
}

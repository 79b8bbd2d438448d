/**
 * What a calling app does besides the screen: a ringtone for the callee and a ringback tone
 * for the caller (Web Audio, no files), stopped on any state change; and, while the tab is
 * hidden and a call rings, a flashing title and a browser Notification.
 * `document.body.dataset.tone` names the tone playing ("ringtone", "ringback" or ""), for tests.
 */
import type { Ringback, RingbackState } from "@ringback/client";

type Tone = "ringtone" | "ringback" | "";

/** [frequencies, on ms, off ms]: a two-tone ring for the callee, a soft 425 Hz for the caller. */
const PATTERNS: Record<Exclude<Tone, "">, [number[], number, number]> = {
  ringtone: [[880, 1040], 1200, 1800],
  ringback: [[425], 1000, 3000],
};

let audio: AudioContext | null = null;
function context(): AudioContext | null {
  try {
    audio ??= new AudioContext();
    void audio.resume().catch(() => undefined); // blocked until a user gesture: silent then
    return audio;
  } catch {
    return null; // no Web Audio: the screen still says it all
  }
}

/** Plays `tone` in a loop until the returned stop is called. */
function play(tone: Exclude<Tone, "">): () => void {
  const ctx = context();
  const [freqs, on, off] = PATTERNS[tone];
  const nodes: OscillatorNode[] = [];
  const burst = (): void => {
    if (!ctx) return;
    const gain = ctx.createGain();
    gain.gain.value = 0.06;
    gain.connect(ctx.destination);
    for (const f of freqs) {
      const osc = ctx.createOscillator();
      osc.frequency.value = f;
      osc.connect(gain);
      osc.start();
      osc.stop(ctx.currentTime + on / 1000);
      nodes.push(osc);
      osc.onended = () => nodes.splice(nodes.indexOf(osc), 1);
    }
  };
  burst();
  const timer = setInterval(burst, on + off);
  return () => {
    clearInterval(timer);
    for (const osc of nodes.splice(0)) osc.stop();
  };
}

const toneFor = (s: RingbackState): Tone => {
  if (!s.uid || !s.isThisDevice) return "";
  if (s.status === "ringing" && s.incoming) return "ringtone";
  if (s.status === "calling") return "ringback";
  return "";
};

export function alerts(rb: Ringback): void {
  const title = document.title;
  let key = "";
  let stopTone = (): void => undefined;
  let flash: ReturnType<typeof setInterval> | undefined;
  let note: Notification | null = null;

  const stopAll = (): void => {
    stopTone();
    stopTone = () => undefined;
    clearInterval(flash);
    flash = undefined;
    document.title = title;
    note?.close();
    note = null;
    document.body.dataset.tone = "";
  };
  const background = (s: RingbackState): void => {
    if (!document.hidden || !s.incoming || flash !== undefined) return;
    const text = `📞 ${s.incoming.caller.name} is calling`;
    flash = setInterval(() => {
      document.title = document.title === title ? text : title;
    }, 1000);
    if ("Notification" in window && Notification.permission === "granted") {
      try {
        note = new Notification(text, { tag: s.incoming.callId, requireInteraction: true });
        note.onclick = () => window.focus();
      } catch {
        note = null; // some browsers allow notifications from a service worker only
      }
    }
  };

  rb.subscribe((s) => {
    const tone = toneFor(s);
    const next = `${tone}:${s.callId ?? ""}:${s.status}`;
    if (next === key) return;
    key = next; // any state change stops what plays, then starts what the new state needs
    stopAll();
    if (!tone) return;
    document.body.dataset.tone = tone;
    stopTone = play(tone);
    if (tone === "ringtone") background(s);
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      clearInterval(flash);
      flash = undefined;
      document.title = title;
      note?.close();
      note = null;
    } else if (toneFor(rb.state) === "ringtone") background(rb.state);
  });
}

/** Asks for the Notification permission (call from a click: browsers require a gesture). */
export function askNotifications(): void {
  if ("Notification" in window && Notification.permission === "default") {
    void Notification.requestPermission().catch(() => undefined);
  }
}

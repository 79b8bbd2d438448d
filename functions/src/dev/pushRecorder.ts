/**
 * The local push recorder's client (the emulator stack only: platform.ts puts it in place
 * of FCM and APNs when RINGBACK_PUSH_RECORDER is set there): instead of FCM or APNs, each
 * message goes to the recorder (scripts/standins/pushRecorder.mjs) with its wire form, which
 * prints it, keeps it for the tests and answers what the service would: tokens that start
 * with `unregistered` are unregistered, tokens that start with `flaky` fail once.
 */
import {
  apnsRequest,
  fcmMessage,
  type Channel,
  type PushMessage,
  type PushSender,
  type SendOutcome,
} from "../channels/push/messages.js";
import type { Senders } from "../channels/push/delivery.js";

export class RecorderSender implements PushSender {
  readonly name: string;
  constructor(
    private readonly host: string,
    private readonly channel: Channel,
    private readonly topic: string,
  ) {
    this.name = `recorder:${channel}`;
  }

  async send(messages: readonly PushMessage[]): Promise<SendOutcome[]> {
    const now = Date.now();
    const body = messages.map((m) => ({
      ...m,
      sent_at: now,
      wire: this.channel === "fcm" ? fcmMessage(m, now) : apnsRequest(m, this.topic),
    }));
    const res = await fetch(`http://${this.host}/push`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: this.channel, messages: body }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`push recorder: HTTP ${res.status}`);
    return ((await res.json()) as { outcomes: SendOutcome[] }).outcomes;
  }
}

/** Both channels through the recorder at `host`; `topic` is the APNs topic its wire forms name. */
export function recorderSenders(host: string, topic: string): Senders {
  return {
    fcm: new RecorderSender(host, "fcm", topic),
    voip: new RecorderSender(host, "voip", topic),
  };
}

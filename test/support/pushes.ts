/**
 * The tests' view of the local push recorder (scripts/standins/pushRecorder.mjs), which stands in
 * for FCM and APNs in the emulator stack: every push the functions send, as the device would
 * get it, with its wire form.
 */
import { adminDb } from "./admin.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";
import { control } from "./control.js";

export interface RecordedPush {
  seq: number;
  received_at: number;
  job_id: string;
  uid: string;
  device_id: string;
  channel: "fcm" | "voip";
  token: string;
  data: Record<string, string>;
  expires_at: number;
  collapse_key: string;
  /** VoIP only: the device's APNs environment, when it gave one. */
  apns_env?: "sandbox" | "production";
  sent_at: number;
  /** The FCM v1 message, or the APNs request ({path, headers, body}). */
  wire: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  ok: boolean;
  error?: string;
  code?: string;
}

export type PushFilter = Partial<
  Record<"call_id" | "type" | "uid" | "device_id" | "channel", string>
>;

/** Every push recorded so far that matches `filter` (delivered or not), oldest first. */
export async function pushes(filter: PushFilter = {}): Promise<RecordedPush[]> {
  const q = new URLSearchParams(filter as Record<string, string>);
  const res = await control<RecordedPush[]>("GET", `/pushes?${q}`);
  if (res.status !== 200) throw new Error(`push recorder: HTTP ${res.status}`);
  return res.body;
}

/** Delivered pushes only. */
export const delivered = async (filter: PushFilter = {}) =>
  (await pushes(filter)).filter((p) => p.ok);

/** Polls until `check` holds for the delivered pushes matching `filter`; returns them. */
export async function waitPushes(
  filter: PushFilter,
  check: (got: RecordedPush[]) => boolean,
  what: string,
  timeoutMs = 45_000,
): Promise<RecordedPush[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const got = await delivered(filter);
    if (check(got)) return got;
    if (Date.now() > until) {
      throw new Error(
        `push recorder: timed out after ${timeoutMs} ms waiting for ${what}; got ` +
          JSON.stringify(got.map((p) => [p.data.type, p.uid, p.device_id, p.data.reason])),
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until every push job of `callId` is finished (no task left to run), then a beat. */
export async function settledPushes(callId: string, timeoutMs = 45_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const snap = await adminDb()
      .collection(PRIVATE_COLLECTIONS.pushJobs)
      .where("call_id", "==", callId)
      .get();
    const open = snap.docs.filter((d) => ["pending", "sending", "retry"].includes(d.get("status")));
    if (open.length === 0) return;
    if (Date.now() > until) {
      throw new Error(`push jobs of ${callId} still open: ${open.map((d) => d.id).join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The push jobs of a call, by id. */
export async function jobsOf(callId: string) {
  return (await jobDocsOf(callId)).map((d) => d.data());
}

/** The call's push job documents, with their create and update times. */
export async function jobDocsOf(callId: string) {
  const snap = await adminDb()
    .collection(PRIVATE_COLLECTIONS.pushJobs)
    .where("call_id", "==", callId)
    .get();
  return snap.docs;
}

/** Forgets every recorded push (between stress scenarios). */
export async function clearPushes(): Promise<void> {
  const res = await control("DELETE", "/pushes");
  if (res.status !== 200) throw new Error(`push recorder: HTTP ${res.status}`);
}

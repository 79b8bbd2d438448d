/**
 * The webhook oracle of the stress run (when its stack has webhooks on): every committed
 * change produced exactly its callback events, judged from the calls' own state and the
 * outbox alone, never from the code that derives the events. Read in one read-only
 * transaction, so the calls and their outbox entries are one consistent snapshot.
 *
 *  W1. Event ids are unique, and `seq` orders one call's events without ties.
 *  W2. An ended call has exactly one call_end, its last event, with the call's end_reason and
 *      who ended it (`""` when no command did); a live call has none.
 *  W3. call_create, when present, is the call's first event, names the caller, and lists only
 *      invitees with a registered device; an invitee of the start with one is in it.
 *  W4. Each invitee's last event about them agrees with their state: rejected ← call_reject
 *      (with the decline type), timeout ← call_timeout, accepted ← call_accept or call_join,
 *      quit ← call_quit (or the call's end after an accept/join), canceled ← call_cancel (or
 *      the call's end), still ringing ← their invitation (call_create or call_invite, or none).
 *  W6. An undelivered invitee (who blocked their inviter) is named by no event of the call:
 *      the app's backend learns who was not rung by their absence.
 */
import type { Firestore } from "firebase-admin/firestore";
import {
  callConverter,
  mergeCall,
  type CallPrivate,
} from "../../functions/src/adapters/store/firestore.js";
import type { Call } from "../../functions/src/core/types.js";
import { names } from "./names.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";

interface Entry {
  event_id: string;
  call_id: string;
  event: string;
  fields: Record<string, unknown>;
  seq: number;
  status: string;
}

/** The events that name `uid`, in order. */
function about(uid: string, events: Entry[]): Entry[] {
  return events.filter((e) => {
    const f = e.fields;
    if (e.event === "call_end" || e.event === "call_create" || e.event === "call_invite") {
      return e.event !== "call_end" && (f.user_ids as string[]).includes(uid);
    }
    if (e.event === "call_cancel" || e.event === "call_timeout") {
      return (f.user_ids as string[]).includes(uid);
    }
    return f.user_id === uid;
  });
}

export function webhookViolations(calls: Map<string, Call>, entries: Entry[]): string[] {
  const v: string[] = [];
  const ids = new Set<string>();
  const byCall = new Map<string, Entry[]>();
  for (const e of entries) {
    if (ids.has(e.event_id)) v.push(`W1: event ${e.event_id} twice`);
    ids.add(e.event_id);
    byCall.set(e.call_id, [...(byCall.get(e.call_id) ?? []), e]);
  }
  for (const call of calls.values()) {
    const events = (byCall.get(call.call_id) ?? []).sort((a, b) => a.seq - b.seq);
    const id = call.call_id;
    if (new Set(events.map((e) => e.seq)).size !== events.length) v.push(`W1: ${id}: seq ties`);
    const ends = events.filter((e) => e.event === "call_end");
    if (call.state === "ended") {
      const last = events[events.length - 1];
      if (ends.length !== 1 || last?.event !== "call_end") {
        v.push(`W2: ended ${id} has ${ends.length} call_end, last event ${last?.event}`);
      } else if (
        last.fields.end_reason !== call.end_reason ||
        last.fields.user_id !== (call.ended_by ?? "")
      ) {
        v.push(
          `W2: ${id} call_end says ${JSON.stringify(last.fields)}, the call ${call.end_reason} by ${call.ended_by ?? ""}`,
        );
      }
    } else if (ends.length > 0) v.push(`W2: live ${id} has a call_end`);

    const create = events.find((e) => e.event === "call_create");
    const invited = new Set(
      events.filter((e) => e.event === "call_invite").flatMap((e) => e.fields.user_ids as string[]),
    );
    if (create) {
      if (events[0] !== create) v.push(`W3: ${id}: call_create is not the first event`);
      if (create.fields.caller !== call.caller.id) v.push(`W3: ${id}: call_create's caller`);
      for (const u of create.fields.user_ids as string[]) {
        if (!call.users[u] || call.users[u]?.logged_out || u === call.caller.id) {
          v.push(`W3: ${id}: call_create lists ${u}`);
        }
      }
    }
    for (const u of Object.values(call.users)) {
      if (u.id === call.caller.id) continue;
      if (u.undelivered) {
        const named = about(u.id, events).map((e) => e.event);
        if (named.length) v.push(`W6: ${id}: undelivered ${u.id} is named by ${named.join(", ")}`);
        continue;
      }
      const starter = !invited.has(u.id);
      const listed = (create?.fields.user_ids as string[] | undefined)?.includes(u.id) ?? false;
      if (starter && !u.logged_out && !listed)
        v.push(`W3: ${id}: ${u.id} is missing from call_create`);
      const mine = about(u.id, events);
      const last = mine[mine.length - 1]?.event;
      const ended = call.state === "ended";
      const ok: Record<string, (string | undefined)[]> = {
        rejected: ["call_reject"],
        timeout: ["call_timeout"],
        accepted: ["call_accept", "call_join"],
        quit: ended ? ["call_quit", "call_accept", "call_join"] : ["call_quit"],
        canceled: ended
          ? ["call_cancel", "call_create", "call_invite", undefined]
          : ["call_cancel"],
        inviting: ["call_create", "call_invite", undefined],
        received: ["call_create", "call_invite", undefined],
        not_yet_received: ["call_create", "call_invite", undefined],
      };
      if (!(ok[u.state] ?? []).includes(last)) {
        v.push(`W4: ${id}: ${u.id} is ${u.state} but their last event is ${last ?? "none"}`);
      }
      const reject = mine.filter((e) => e.event === "call_reject").pop();
      if (u.state === "rejected" && reject && reject.fields.type !== (u.decline_type ?? 1)) {
        v.push(`W4: ${id}: ${u.id}'s call_reject type ${String(reject.fields.type)}`);
      }
    }
  }
  return v;
}

export async function checkWebhooks(
  db: Firestore,
): Promise<{ violations: string[]; entries: Entry[] }> {
  const [callSnaps, privateSnaps, eventSnaps] = await db.runTransaction(
    (tx) =>
      Promise.all([
        tx.get(db.collection(names.calls).withConverter(callConverter)),
        tx.get(db.collectionGroup("private")), // who was logged out lives in the private part
        tx.get(db.collection(PRIVATE_COLLECTIONS.webhookEvents)),
      ]),
    { readOnly: true },
  );
  const privates = new Map(
    privateSnaps.docs.map((d) => [d.ref.parent.parent?.id, d.data() as CallPrivate]),
  );
  const calls = new Map(callSnaps.docs.map((d) => [d.id, mergeCall(d.data(), privates.get(d.id))]));
  const entries = eventSnaps.docs.map((d) => d.data() as Entry);
  return { violations: webhookViolations(calls, entries), entries };
}

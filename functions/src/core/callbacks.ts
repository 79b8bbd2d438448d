/**
 * Server-to-server callback events (docs/protocol.md#server-to-server-callbacks): what the
 * app's backend is told of a committed change, derived from the change itself (the moves the
 * draft recorded, the users it added, whether it ended the call), so no command has to
 * remember to emit them. The envelope (appid, nonce, signature, timestamp) is the adapter's.
 */
import type { Call, CallUser, DeclineType, EndReason, UserState } from "./types.js";
import { isPending } from "./types.js";

export interface CallbackBodies {
  /** Seed-exact: no keys but these (and the envelope). */
  call_create: {
    user_ids: string[];
    create_time: number;
    payload: string;
    caller: string;
    timeout: number;
  };
  call_accept: { user_id: string; extend_data: string };
  call_reject: { user_id: string; extend_data: string; type: DeclineType };
  call_cancel: { user_id: string; user_ids: string[]; extend_data: string };
  call_timeout: { user_ids: string[] };
  call_invite: { user_id: string; user_ids: string[] };
  call_join: { user_id: string };
  call_quit: { user_id: string };
  call_end: { user_id: string; end_reason: EndReason };
}

export type CallbackName = keyof CallbackBodies;

/** Every callback's name, for reading them back (the outbox); the compiler checks it is all. */
export const CALLBACK_NAMES = [
  "call_create",
  "call_accept",
  "call_reject",
  "call_cancel",
  "call_timeout",
  "call_invite",
  "call_join",
  "call_quit",
  "call_end",
] as const satisfies readonly CallbackName[];
type Missing = Exclude<CallbackName, (typeof CALLBACK_NAMES)[number]>;
const allNamed: [Missing] extends [never] ? true : Missing = true;
void allNamed;

export type CallbackEvent = {
  [E in CallbackName]: { event: E; call_id: string; fields: CallbackBodies[E] };
}[CallbackName];

/** One user's state change within a draft; `closing` when the call's end made it. */
export interface Move {
  uid: string;
  from: UserState;
  to: UserState;
  closing: boolean;
}

/** What the draft knows of the change besides the call before and after it. */
export interface Change {
  moves: readonly Move[];
  /**
   * The command and its actor, when a command (not a timeout) made the change; `device_id`:
   * the device an accept, join or decline named (never one that only acked).
   */
  acted?: { actor: string; command: string; device_id?: string };
}

const event = <E extends CallbackName>(
  e: E,
  call_id: string,
  fields: CallbackBodies[E],
): CallbackEvent => ({ event: e, call_id, fields }) as CallbackEvent;

const data = (u: CallUser | undefined): string => u?.extended_data ?? "";

/** The callback events of the change from `before` (undefined: a new call) to `after`. */
export function callbackEvents(
  before: Call | undefined,
  after: Call,
  change: Change,
): CallbackEvent[] {
  const id = after.call_id;
  const out: CallbackEvent[] = [];
  // The backend learns who was not delivered by their absence from every callback.
  const delivered = (uid: string) => !after.users[uid]?.undelivered;
  if (!before) {
    const invitees = after.user_ids.filter((u) => u !== after.caller.id && delivered(u));
    const loggedIn = invitees.filter((u) => !after.users[u]?.logged_out);
    if (loggedIn.length > 0) {
      out.push(
        event("call_create", id, {
          user_ids: loggedIn,
          create_time: Math.floor(after.created_at / 1000),
          payload: after.extended_data,
          caller: after.caller.id,
          timeout: after.timeout,
        }),
      );
    }
  } else {
    const added = after.user_ids.filter((u) => !before.users[u] && delivered(u));
    if (added.length > 0) {
      const by = change.acted?.actor ?? after.caller.id;
      out.push(event("call_invite", id, { user_id: by, user_ids: added }));
    }
  }
  const canceled: string[] = [];
  const timedOut: string[] = [];
  const closingCancels: string[] = [];
  for (const m of change.moves) {
    const u = after.users[m.uid];
    if (!delivered(m.uid)) continue;
    if (m.closing) {
      if (m.to === "canceled") closingCancels.push(m.uid);
      continue;
    }
    if (m.to === "accepted") {
      const joined = !isPending(m.from) || change.acted?.command === "join";
      out.push(
        joined
          ? event("call_join", id, { user_id: m.uid })
          : event("call_accept", id, { user_id: m.uid, extend_data: data(u) }),
      );
    } else if (m.to === "rejected") {
      const type = u?.decline_type ?? 1;
      out.push(event("call_reject", id, { user_id: m.uid, extend_data: data(u), type }));
    } else if (m.to === "canceled") canceled.push(m.uid);
    else if (m.to === "timeout") timedOut.push(m.uid);
    else if (m.to === "quit") out.push(event("call_quit", id, { user_id: m.uid }));
  }
  if (canceled.length > 0) {
    const by = change.acted?.actor ?? after.caller.id;
    out.push(event("call_cancel", id, { user_id: by, user_ids: canceled, extend_data: "" }));
  }
  // A caller who went silent while ringing canceled the invitation: told as a cancel too.
  if (closingCancels.length > 0 && after.end_reason === "caller_offline") {
    out.push(
      event("call_cancel", id, {
        user_id: after.caller.id,
        user_ids: closingCancels,
        extend_data: "",
      }),
    );
  }
  if (timedOut.length > 0) out.push(event("call_timeout", id, { user_ids: timedOut }));
  if (before?.state !== "ended" && after.state === "ended" && after.end_reason) {
    out.push(
      event("call_end", id, { user_id: after.ended_by ?? "", end_reason: after.end_reason }),
    );
  }
  return out;
}

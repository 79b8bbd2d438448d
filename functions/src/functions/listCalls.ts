import { HttpsError } from "firebase-functions/v2/https";
import { listCalls as list, type ListCursor } from "../adapters/calls/list.js";
import { deployedContext } from "../adapters/deployedContext.js";
import { validated } from "../adapters/callable/validated.js";
import { durationS } from "../core/projection.js";
import { LIST_PAGE_LIMIT, type Call } from "../core/types.js";
import { callIdSchema, listCallsSchema } from "../model/commands.js";
import type { ListedCall, ListResult } from "../model/wire.js";

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

/** next_flag: an opaque cursor (base64url of the last call's creation time and id). */
function encode(c: ListCursor): string {
  return Buffer.from(JSON.stringify([c.created_at, c.call_id])).toString("base64url");
}

function decode(flag: string): ListCursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(flag, "base64url").toString("utf8"));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      Number.isSafeInteger(v[0]) &&
      callIdSchema.safeParse(v[1]).success
    ) {
      return { created_at: v[0] as number, call_id: v[1] as string };
    }
  } catch {
    // falls through to the error below
  }
  throw new HttpsError("invalid-argument", "next_flag: not a flag this server gave out.", {
    reason: "invalid_argument",
    field: "next_flag",
  });
}

/** What a listed call shows of itself (no bookkeeping fields). */
function entry(call: Call, uid: string, now: number): ListedCall {
  return {
    call_id: call.call_id,
    caller: call.caller,
    type: call.type,
    mode: call.mode,
    state: call.state,
    end_reason: call.end_reason ?? null,
    user_state: call.users[uid]?.state ?? null,
    timeout: call.timeout,
    extended_data: call.extended_data,
    created_at: iso(call.created_at),
    deadline_at: iso(call.deadline_at),
    connected_at: iso(call.connected_at),
    ended_at: iso(call.ended_at),
    duration: durationS(call, now),
    users: call.user_ids.map((id) => {
      const u = call.users[id];
      return {
        id,
        name: u?.name ?? "",
        state: u?.state ?? null,
        ...(u?.decline_type !== undefined ? { decline_type: u.decline_type } : {}),
        // Others' extended_data is not listed (docs/protocol.md#call-data); calls stored
        // before it moved to the private part may still hold it in the shared doc.
        extended_data: id === uid ? (u?.extended_data ?? "") : "",
      };
    }),
  };
}

/** queryCallInvitationList: the caller's calls, newest first, a page at a time. */
export const listCalls = validated(listCallsSchema, async (caller, data): Promise<ListResult> => {
  const after = data.next_flag ? decode(data.next_flag) : undefined;
  const ctx = deployedContext();
  const count = Math.min(data.count, ctx.cfg.listPageLimit ?? LIST_PAGE_LIMIT);
  const page = await list(ctx, caller.uid, count, after);
  return {
    calls: page.calls.map((c) => entry(c, caller.uid, Date.now())),
    next_flag: page.next ? encode(page.next) : "",
  };
});

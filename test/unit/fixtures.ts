import { startCall, type StartFacts, type StartInput } from "../../functions/src/core/create.js";
import { Draft } from "../../functions/src/core/draft.js";
import type { Call, CoreConfig, UserState } from "../../functions/src/core/types.js";

export const cfg: CoreConfig = { heartbeatIntervalS: 20, heartbeatTimeoutMs: 60_000 };
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A call alice starts at `now`; `over` sets input fields and the facts (such as `busy`). */
export function start(
  callees: string[] = ["bob"],
  over: Partial<StartInput> & Partial<StartFacts> = {},
  now = T0,
): Call {
  const { type, mode, timeout, extended_data, not_received_check, ...facts } = over;
  return startCall(
    {
      type: type ?? 1,
      mode: mode ?? "common",
      timeout: timeout ?? 60,
      extended_data: extended_data ?? "",
      not_received_check: not_received_check ?? false,
    },
    {
      call_id: "c1",
      caller: { id: "alice", name: "Alice" },
      callees: callees.map((id) => ({ id, name: id })),
      busy: new Set(),
      request_hash: "h",
      error_invitees: [],
      ...facts,
    },
    now,
    cfg,
  ).call;
}

/** A live call with `uid` forced into `state` (for table tests). */
export function withState(call: Call, uid: string, state: UserState): Call {
  const c = structuredClone(call);
  const u = c.users[uid];
  if (!u) throw new Error(`no ${uid}`);
  u.state = state;
  if (state === "accepted") u.heartbeat_at = T0;
  if (uid !== c.caller.id && state === "accepted") c.state = "ongoing";
  return c;
}

export function run(call: Call, now: number, fn: (d: Draft) => void) {
  const d = new Draft(call, now, cfg);
  const r = d.attempt(fn);
  return { ...d.finish(), error: r.ok ? undefined : r.error };
}

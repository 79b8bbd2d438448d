import { Draft, startCall, type StartInput } from "../../functions/src/core/machine.js";
import type { Call, CoreConfig, UserState } from "../../functions/src/core/types.js";

export const cfg: CoreConfig = { heartbeatIntervalS: 20, heartbeatTimeoutMs: 60_000 };
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export function start(callees: string[] = ["bob"], over: Partial<StartInput> = {}, now = T0): Call {
  return startCall(
    {
      call_id: "c1",
      caller: { id: "alice", name: "Alice" },
      callees: callees.map((id) => ({ id, name: id })),
      busy: new Set(),
      type: 1,
      mode: "common",
      timeout: 60,
      extended_data: "",
      not_received_check: false,
      request_hash: "h",
      error_invitees: [],
      ...over,
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

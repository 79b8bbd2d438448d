import { startCall, type StartFacts, type StartInput } from "../../functions/src/core/create.js";
import { Draft } from "../../functions/src/core/draft.js";
import type { Notice } from "../../functions/src/core/notifications.js";
import { applyDue } from "../../functions/src/core/timeouts.js";
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

/** Each notice as "<to> <path>". */
export const paths = (ns: Notice[]) => ns.map((n) => `${n.to} ${n.path}`);
/** The notice that tells `to` of users' new states. */
export const changed = (to: string, users: [string, string, string?][]): Notice => ({
  to,
  path: "/call/notify_user_state_changed",
  body: {
    call_id: "c1",
    users: users.map(([id, state, extended_data]) => ({
      id,
      state: state as UserState,
      extended_data: extended_data ?? "",
    })),
  },
});
/** Applies what is due in `call` at `now`. */
export const due = (call: Call, now: number) => run(call, now, (d) => applyDue(d));

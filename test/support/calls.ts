/** Call set-ups shared by the integration tests. */
import { newUser, type TestUser } from "./clients.js";

export interface Started {
  call_id: string;
  timeout: number;
  deadline_at: string;
  error_invitees: { id: string; reason: string }[];
}

/** Signs up one test user per label, at once. */
export function users<const L extends readonly string[]>(
  ...labels: L
): Promise<{ [K in keyof L]: TestUser }> {
  return Promise.all(labels.map((l) => newUser(l))) as Promise<{ [K in keyof L]: TestUser }>;
}

/** `caller` calls `callee` (voice unless `extra` says otherwise) and waits until it rings. */
export async function ring(
  caller: TestUser,
  callee: TestUser,
  extra: Record<string, unknown> = {},
): Promise<Started> {
  const started = await caller.call<Started>("startCall", {
    callees: [{ id: callee.uid }],
    type: 1,
    ...extra,
  });
  await callee.waitState(
    (s) => s?.status === "ringing" && s.call_id === started.call_id,
    `ringing for ${started.call_id}`,
  );
  return started;
}

/** A one-to-one call that `callee` has accepted; returns its id. */
export async function connect(caller: TestUser, callee: TestUser): Promise<string> {
  const { call_id } = await ring(caller, callee);
  await callee.call("acceptCall", { call_id });
  return call_id;
}

/** `caller` calls every one of `callees` at once and waits until each of them rings. */
export async function ringAll(
  caller: TestUser,
  callees: readonly TestUser[],
  extra: Record<string, unknown> = {},
): Promise<Started> {
  const started = await caller.call<Started>("startCall", {
    callees: callees.map((c) => ({ id: c.uid })),
    type: 1,
    ...extra,
  });
  await Promise.all(
    callees.map((c) =>
      c.waitState(
        (s) => s?.status === "ringing" && s.call_id === started.call_id,
        `ringing for ${started.call_id}`,
      ),
    ),
  );
  return started;
}

/** The paths of `user`'s notifications for `callId`, in order. */
export const pathsOf = (user: TestUser, callId: string): string[] =>
  user.notifications(callId).map((n) => n.path);

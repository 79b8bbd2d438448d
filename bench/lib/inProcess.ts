/**
 * Ringback's adapters called in this process (not through the callables), for the tests and
 * the benchmark sections that count documents or inject faults on a project of their own.
 */
import { randomUUID } from "node:crypto";
import type { Ctx } from "../../functions/src/adapters/context.js";
import { runStartCall } from "../../functions/src/adapters/calls/start.js";
import type { StartResult } from "../../functions/src/core/types.js";

export interface DirectStart {
  caller: string;
  callees: string[];
  call_id?: string;
  /** Seconds (default 60). */
  timeout?: number;
  mode?: "common" | "advanced";
  not_received_check?: boolean;
  /** Default: a fresh one, so that no two starts look like retries of each other. */
  request_hash?: string;
  /** Callees with no registered device. */
  loggedOut?: Set<string>;
  /** Whom the policy hook denied (asked before the transaction, as startCall does). */
  denied?: ReadonlySet<string>;
}

/** startCall's transaction, as the callable runs it once it has found its callees. */
export function startDirect(ctx: Ctx, s: DirectStart): Promise<StartResult> {
  return runStartCall(
    ctx,
    {
      type: 1,
      mode: s.mode ?? "common",
      timeout: s.timeout ?? 60,
      not_received_check: s.not_received_check ?? false,
    },
    {
      ...(s.call_id !== undefined ? { call_id: s.call_id } : {}),
      caller: { id: s.caller, name: s.caller },
      callees: s.callees.map((id) => ({ id, name: id })),
      error_invitees: [],
      loggedOut: s.loggedOut ?? new Set(),
      request_hash: s.request_hash ?? randomUUID(),
    },
    s.denied,
  );
}

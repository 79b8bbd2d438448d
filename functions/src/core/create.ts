/**
 * Creating a call (docs/protocol.md#commands, startCall): whether a start may proceed (a
 * retry of the same start, a reused call id, the rate limit, a busy caller), and the new
 * call with its invitees rung. Pure: the adapter reads the facts in the same transaction.
 */
import type { StartCallInput } from "../model/commands.js";
import { busyRefusal } from "./admission.js";
import { Draft, type Outcome } from "./draft.js";
import { settle } from "./ending.js";
import { DomainError } from "./errors.js";
import { take, type Bucket } from "./rateLimit.js";
import { iso, ring, type Invitees } from "./ringing.js";
import {
  DEFAULT_TIMEOUT_S,
  type Call,
  type CallUser,
  type CoreConfig,
  type StartResult,
  type UserRef,
} from "./types.js";

/** What the adapter read before anything else: is this call id taken, and the caller's bucket. */
export interface StartCheck {
  call_id: string;
  caller_id: string;
  /** Hash of the request as sent: a retry must match it. */
  request_hash: string;
  /** The call already stored under `call_id`, if any. */
  existing?: Call;
  /** The caller's rate-limit bucket, when a limit is configured. */
  bucket?: Bucket;
}

export type StartAdmission =
  | { kind: "replay"; result: StartResult }
  /** Go on; `bucket` is the caller's bucket after this start, to be written with the call. */
  | { kind: "go"; bucket?: Bucket };

/**
 * A retry of the same start (same caller, same body) gets the first answer and changes
 * nothing; any other reuse of the id is `already-exists`; past the rate limit, nothing is
 * written. A retry is never charged.
 */
export function admitStart(check: StartCheck, now: number, cfg: CoreConfig): StartAdmission {
  const { existing } = check;
  if (existing) {
    if (
      existing.caller.id === check.caller_id &&
      existing.start_request_hash === check.request_hash &&
      existing.start_result !== undefined
    ) {
      return { kind: "replay", result: existing.start_result };
    }
    throw new DomainError(
      "already_exists",
      "call_exists",
      `Call ${check.call_id} already exists.`,
      {
        call_id: check.call_id,
      },
    );
  }
  if (!cfg.startLimit) return { kind: "go" };
  const taken = take(check.bucket, now, cfg.startLimit);
  if (!taken.ok) {
    throw new DomainError(
      "resource_exhausted",
      "rate_limited",
      "Too many calls started; try again later.",
      { retry_after_ms: taken.retryAfterMs },
    );
  }
  return { kind: "go", bucket: taken.bucket };
}

/** Who is calling whom, as the adapter found them in the transaction. */
export interface StartFacts extends Invitees {
  call_id: string;
  caller: UserRef;
  /** Callees who are no Auth user: not invited, reported in the answer. */
  error_invitees: StartResult["error_invitees"];
  request_hash: string;
  /** The live call that already holds the caller busy, if any. */
  callerBusyIn?: Call;
}

export type StartInput = Pick<
  StartCallInput,
  "type" | "mode" | "timeout" | "extended_data" | "push" | "not_received_check" | "device_id"
>;

/** Creates the call and rings its callees; a busy caller is refused. */
export function startCall(
  input: StartInput,
  facts: StartFacts,
  now: number,
  cfg: CoreConfig,
): Outcome {
  if (facts.callerBusyIn) {
    throw busyRefusal(facts.callerBusyIn, facts.caller.id, "start");
  }
  const timeout = input.timeout ?? cfg.defaultTimeoutS ?? DEFAULT_TIMEOUT_S;
  const deadline = now + timeout * 1000;
  const inviter: CallUser = {
    id: facts.caller.id,
    name: facts.caller.name,
    state: "accepted",
    heartbeat_at: now,
    // The device that calls is the caller's active device (docs/protocol.md#one-device-answers).
    ...(input.device_id !== undefined ? { device_id: input.device_id } : {}),
    updated_at: now,
  };
  const call: Call = {
    call_id: facts.call_id,
    caller: facts.caller,
    type: input.type,
    mode: input.mode,
    state: "ringing",
    users: { [inviter.id]: inviter },
    user_ids: [inviter.id], // ring() adds the callees
    extended_data: input.extended_data ?? "",
    timeout,
    heartbeat_interval: cfg.heartbeatIntervalS,
    created_at: now,
    deadline_at: deadline,
    next_deadline_at: null,
    version: 0,
    updated_at: now,
    not_received_check: input.not_received_check ?? false,
    ...(input.push ? { push: input.push } : {}),
    start_request_hash: facts.request_hash,
    start_result: {
      call_id: facts.call_id,
      timeout,
      deadline_at: iso(deadline),
      error_invitees: facts.error_invitees,
    },
  };
  const d = new Draft(call, now, cfg, { creating: true });
  ring(d, facts.caller, facts, deadline);
  settle(d, "declined");
  return d.finish();
}

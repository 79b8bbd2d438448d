/**
 * Deploy-time parameters (functions/.env.<project> or at deploy), each with the range it must
 * lie in; checkParams() refuses to load outside it (docs/protocol.md#limits-and-defaults).
 * The params themselves live in params/, by concern; this file gathers them and checks them.
 */
import { DEFAULT_NAMES, namesProblem, type SharedNames } from "./model/collections.js";
import { MAX_INVITEES_CEILING } from "./model/domain.js";
import {
  CALLS_COLLECTION,
  CALL_TIMEOUT_SECONDS,
  HEARTBEAT_INTERVAL_SECONDS,
  HEARTBEAT_TIMEOUT_SECONDS,
  LIST_PAGE_LIMIT,
  MAX_CALL_USERS,
  MAX_INVITEES,
  NOT_RECEIVED_CHECK_SECONDS,
  USERS_COLLECTION,
} from "./params/calls.js";
import {
  CONCURRENCY,
  DEADLINE_QUEUE_CONCURRENCY,
  DEADLINE_QUEUE_RATE,
  MAX_INSTANCES,
  MEMORY_MIB,
  MIN_INSTANCES,
  PUSH_QUEUE_CONCURRENCY,
  PUSH_QUEUE_RATE,
  WEBHOOK_QUEUE_CONCURRENCY,
  WEBHOOK_QUEUE_RATE,
} from "./params/capacity.js";
import { STREAMS_PER_USER, STREAM_KEEPALIVE_SECONDS, STREAM_SECONDS } from "./params/http.js";
import {
  COMMAND_BURST,
  COMMAND_RATE_PER_MINUTE,
  RATE_CALLEE_PER_MINUTE,
  RATE_PAIR_PER_MINUTE,
  START_BURST,
  START_RATE_PER_MINUTE,
} from "./params/limits.js";
import { MAX_DEVICES, PUSH_INLINE_BUDGET_MS } from "./params/push.js";
import { DEADLINE_QUEUES, MAX_DEADLINE_QUEUES } from "./channels/deadlines/params.js";
import { PUSH_QUEUES } from "./channels/push/params.js";
import { WEBHOOK_QUEUES } from "./channels/webhooks/params.js";
import { MAX_QUEUES } from "./channels/queues.js";

export * from "./params/calls.js";
export * from "./params/capacity.js";
export * from "./params/http.js";
export * from "./params/limits.js";
export * from "./params/push.js";
export * from "./channels/deadlines/params.js";
export * from "./channels/push/params.js";
export * from "./channels/webhooks/params.js";

export { MAX_INVITEES_CEILING };

/** Each integer param and the whole numbers it may take. */
export const RANGES: [param: { name: string; value(): number }, min: number, max: number][] = [
  [CALL_TIMEOUT_SECONDS, 1, 600],
  [HEARTBEAT_INTERVAL_SECONDS, 1, 3600],
  [HEARTBEAT_TIMEOUT_SECONDS, 2, 3600],
  [MAX_CALL_USERS, 2, 100],
  [START_RATE_PER_MINUTE, 1, 100_000],
  [START_BURST, 1, 100_000],
  [COMMAND_RATE_PER_MINUTE, 1, 100_000],
  [COMMAND_BURST, 1, 100_000],
  [RATE_CALLEE_PER_MINUTE, 0, 100_000],
  [RATE_PAIR_PER_MINUTE, 0, 100_000],
  [NOT_RECEIVED_CHECK_SECONDS, 1, 600],
  [MAX_INVITEES, 1, MAX_INVITEES_CEILING],
  [LIST_PAGE_LIMIT, 1, 1000],
  [STREAM_SECONDS, 10, 3540],
  [STREAM_KEEPALIVE_SECONDS, 1, 300],
  [STREAMS_PER_USER, 1, 100],
  [MAX_DEVICES, 1, 100],
  [PUSH_INLINE_BUDGET_MS, 0, 10_000],
  [MAX_INSTANCES, 1, 1000],
  [MIN_INSTANCES, 0, 1000],
  [CONCURRENCY, 1, 1000],
  [MEMORY_MIB, 256, 4096],
  [DEADLINE_QUEUES, 1, MAX_DEADLINE_QUEUES],
  [DEADLINE_QUEUE_RATE, 1, 500],
  [DEADLINE_QUEUE_CONCURRENCY, 1, 5000],
  [WEBHOOK_QUEUES, 1, MAX_QUEUES],
  [WEBHOOK_QUEUE_RATE, 1, 500],
  [WEBHOOK_QUEUE_CONCURRENCY, 1, 5000],
  [PUSH_QUEUES, 1, MAX_QUEUES],
  [PUSH_QUEUE_RATE, 1, 500],
  [PUSH_QUEUE_CONCURRENCY, 1, 5000],
];

export const MEMORY_SIZES = [256, 512, 1024, 2048, 4096];

/** The capacity params (params/capacity.ts): they size a deploy, and nothing reads them later. */
const CAPACITY: readonly { name: string }[] = [
  MAX_INSTANCES,
  MIN_INSTANCES,
  CONCURRENCY,
  MEMORY_MIB,
  DEADLINE_QUEUE_RATE,
  DEADLINE_QUEUE_CONCURRENCY,
  WEBHOOK_QUEUE_RATE,
  WEBHOOK_QUEUE_CONCURRENCY,
  PUSH_QUEUE_RATE,
  PUSH_QUEUE_CONCURRENCY,
];

/**
 * Throws, naming the param, its value and its range, when a param is out of range: a start
 * rate of 0, say, would make every refusal's `retry_after_ms` infinite. Run when an instance
 * loads (platform.ts) and whenever the config is read. In the legacy extension (EXT_INSTANCE_ID
 * set) it skips the capacity params: it has none (extension.yaml sizes it), so they read 0.
 */
export function checkParams({
  capacity = !process.env.EXT_INSTANCE_ID,
}: { capacity?: boolean } = {}): void {
  const names = sharedNames();
  const problem = namesProblem(names);
  if (problem) {
    throw new Error(`${USERS_COLLECTION.name} / ${CALLS_COLLECTION.name}: ${problem}`);
  }
  for (const [param, min, max] of RANGES) {
    if (!capacity && CAPACITY.includes(param)) continue;
    const v = param.value();
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new Error(
        `${param.name} = ${v} is out of range: set it to a whole number from ${min} to ${max}.`,
      );
    }
  }
  if (!capacity) return checkHeartbeat();
  if (!MEMORY_SIZES.includes(MEMORY_MIB.value())) {
    throw new Error(
      `${MEMORY_MIB.name} = ${MEMORY_MIB.value()} is not a memory size: set one of ${MEMORY_SIZES.join(", ")}.`,
    );
  }
  if (MIN_INSTANCES.value() > MAX_INSTANCES.value()) {
    throw new Error(
      `${MIN_INSTANCES.name} = ${MIN_INSTANCES.value()} must not exceed ` +
        `${MAX_INSTANCES.name} = ${MAX_INSTANCES.value()}.`,
    );
  }
  checkHeartbeat();
}

function checkHeartbeat(): void {
  if (HEARTBEAT_INTERVAL_SECONDS.value() >= HEARTBEAT_TIMEOUT_SECONDS.value()) {
    throw new Error(
      `${HEARTBEAT_INTERVAL_SECONDS.name} = ${HEARTBEAT_INTERVAL_SECONDS.value()} must be ` +
        `shorter than ${HEARTBEAT_TIMEOUT_SECONDS.name} = ${HEARTBEAT_TIMEOUT_SECONDS.value()}.`,
    );
  }
}

/** The shared collections' names; outside a functions runtime an unset param reads "" (default). */
export function sharedNames(): SharedNames {
  return {
    users: USERS_COLLECTION.value() || DEFAULT_NAMES.users,
    calls: CALLS_COLLECTION.value() || DEFAULT_NAMES.calls,
  };
}

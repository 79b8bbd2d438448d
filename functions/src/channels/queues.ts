/**
 * A channel's tasks spread over several queues by call shard (docs/protocol.md#channels): the
 * deadline, webhook and push tasks each run as up to MAX_QUEUES task functions, `<fn>` (queue
 * 0, the name it has always had, so tasks queued before an upgrade still run), then `<fn>1` …
 * `<fn>7`, and a param picks how many of them calls are spread over. One Cloud Tasks queue
 * dispatches at most 500 tasks a second, so one queue a channel was the first limit (SCALE.md).
 * Kept light (no firebase import): each channel's queue.ts uses it when index.ts loads.
 */
import { shardOf } from "../adapters/store/shards.js";

/**
 * How many queues a sharded task has: every deploy defines this many task functions for it,
 * since a param cannot change how many functions a codebase exports.
 */
export const MAX_QUEUES = 8;

/** The task functions of one task, one a queue: `fn`, then `fn1` … `fn7`. */
export const queueFns = (fn: string): readonly string[] =>
  Array.from({ length: MAX_QUEUES }, (_, i) => (i === 0 ? fn : `${fn}${i}`));

/**
 * The task function (and so the queue) of a call's task: its index shard modulo the queues in
 * use. Every task of a call lands on one queue, so a task named after the call stays unique
 * within its queue and a cancel or a backstop's re-enqueue finds it there. `queues` outside
 * 1..MAX_QUEUES (an extension's unset param reads 0) counts as 1.
 */
export function fnOfCall(fns: readonly string[], callId: string, queues: number): string {
  const n = Number.isInteger(queues) && queues >= 1 ? Math.min(queues, fns.length) : 1;
  return fns[shardOf(callId) % n] as string;
}

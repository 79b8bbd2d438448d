/**
 * What offline push adds to a call, for the scale model (`--scale`, bench/scale.ts): the two
 * lifecycles the model scales, run again with the push channel on, counting the push jobs
 * each change commits (outbox rows, by kind) and the push tasks it enqueues (one a change
 * with jobs). In this process nothing is sent: what a send writes and reads after the commit
 * follows from the delivery code's rule (PUSH_DELIVERY below), not from a count.
 */
import { randomUUID } from "node:crypto";
import { runCommand } from "../functions/src/adapters/calls/runCommand.js";
import type { Ctx } from "../functions/src/adapters/context.js";
import { accept, end } from "../functions/src/core/commands.js";
import { startDirect } from "./lib/inProcess.js";
import type { Meter } from "./lib/meteredFirestore.js";

export interface PushPerCall {
  /** Push tasks enqueued (each one enqueue and one dispatch). */
  tasks: number;
  rings: number;
  cancels: number;
  /** Push outbox rows written in the commands' transactions (measured). */
  outboxWrites: number;
}

/**
 * After the commit, per job (channels/push/delivery.ts, inline.ts): a ring is committed
 * claimed for the request's inline send, so its send writes once (the outcome); a cancel is
 * claimed in a transaction (its own row and its ring's read, one write) and then writes its
 * outcome. The job's task then reads it once and finds it settled.
 */
export const PUSH_DELIVERY = {
  ring: { reads: 1, writes: 1 },
  cancel: { reads: 3, writes: 2 },
} as const;

export async function pushPerCall(
  base: Ctx,
  meter: Meter,
): Promise<{ "1:1": PushPerCall; "1:9": PushPerCall }> {
  const counted: PushPerCall = { tasks: 0, rings: 0, cancels: 0, outboxWrites: 0 };
  const ctx: Ctx = {
    ...base,
    push: true,
    effects: {
      deliver: async ({ effect }) => {
        if (effect.kind !== "push") return;
        counted.tasks++;
        for (const j of effect.jobs) counted[j.type === "ring" ? "rings" : "cancels"]++;
      },
    },
  };
  const run = async (callees: number): Promise<PushPerCall> => {
    Object.assign(counted, { tasks: 0, rings: 0, cancels: 0, outboxWrites: 0 });
    const before = meter.snapshot();
    const a = `u-${randomUUID()}`;
    const bs = Array.from({ length: callees }, () => `u-${randomUUID()}`);
    const s = await startDirect(ctx, { caller: a, callees: bs });
    for (const b of bs) await runCommand(ctx, s.call_id, b, (d) => accept(d, b, {}));
    const r = await runCommand(ctx, s.call_id, a, (d) => end(d, a));
    if (r.state !== "ended") throw new Error(`push cost: the call was left ${r.state}`);
    return { ...counted, outboxWrites: meter.since(before).writes.push };
  };
  return { "1:1": await run(1), "1:9": await run(9) };
}

/**
 * Offline push on, per call: the jobs its commands commit (measured), what each job's send
 * and its task then read and write (PUSH_DELIVERY), and one task a change with jobs, on the
 * push queues (a call's shard picks its queue, as for deadlines). Each push task is one
 * enqueue, one dispatch and one invocation.
 */
export function pushCall(p: PushPerCall) {
  const d = PUSH_DELIVERY;
  return {
    reads: p.rings * d.ring.reads + p.cancels * d.cancel.reads,
    writes: p.outboxWrites + p.rings * d.ring.writes + p.cancels * d.cancel.writes,
    tasks: p.tasks,
    taskOps: 2 * p.tasks,
  };
}

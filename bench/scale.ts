/**
 * `npm run bench -- --scale`: the capacity and cost model of SCALE.md, computed from the
 * per-command costs the cost section just measured on the current code (documents read and
 * written per collection, deadline tasks enqueued and deleted), so that it stays true as the
 * code changes. The limits and prices are constants below, each with where it is documented
 * and when it was read; the assumptions (call length, time in a function) are named too.
 */
import { SHARDS } from "../functions/src/adapters/store/shards.js";
import {
  DEADLINE_QUEUES,
  MAX_DEADLINE_QUEUES,
} from "../functions/src/channels/deadlines/params.js";
import { PUSH_QUEUES as PUSH_QUEUE_PARAM } from "../functions/src/channels/push/params.js";
import { MAX_QUEUES } from "../functions/src/channels/queues.js";
import type { Cost, CostResult } from "./cost.js";
import { pushCall, type PushPerCall } from "./pushCost.js";
import type { Section } from "./lib/table.js";

/** Documented limits (read 2026-11-29; see SCALE.md for the pages). */
export const LIMITS = {
  /** Firestore: writes a second to a collection with a sequential indexed field (per index range). */
  sequentialIndexWritesPerSecond: 500,
  /** Firestore: sustained writes a second to one document. */
  docWritesPerSecond: 1,
  /** Cloud Tasks: max_dispatches_per_second of one queue. */
  queueDispatchesPerSecond: 500,
  /** Cloud Tasks: max_concurrent_dispatches of one queue. */
  queueConcurrentDispatches: 5000,
  /** Cloud Functions (2nd gen): requests one instance serves at once, at most. */
  concurrencyMax: 1000,
} as const;

/** Deadline queues calls spread over by default (RINGBACK_DEADLINE_QUEUES), and at most. */
const QUEUES = {
  default: (DEADLINE_QUEUES as unknown as { options: { default: number } }).options.default,
  max: MAX_DEADLINE_QUEUES,
};

/** Push queues: the same rule, by call shard (RINGBACK_PUSH_QUEUES). */
const PUSH_QUEUES = {
  default: (PUSH_QUEUE_PARAM as unknown as { options: { default: number } }).options.default,
  max: MAX_QUEUES,
  param: PUSH_QUEUE_PARAM.name,
};

/** List prices in USD (read 2026-11-29; see SCALE.md for the pages). */
export const PRICES = {
  firestoreReadPer100k: 0.03,
  firestoreWritePer100k: 0.09,
  firestoreDeletePer100k: 0.01,
  tasksOpPerMillion: 0.4,
  functionsRequestPerMillion: 0.4,
  vcpuSecond: 0.000024,
  gibSecond: 0.0000025,
} as const;

/** What the model assumes, not measures. */
export const ASSUMPTIONS = {
  /** How long an answered call lasts (its heartbeats and deadline-task rounds follow). */
  callSeconds: 180,
  /** Heartbeat interval (the default param). */
  heartbeatSeconds: 20,
  /** Heartbeat timeout: a live call's deadline task runs about this often. */
  heartbeatTimeoutSeconds: 60,
  /** Time one invocation holds an instance, seconds (deployed; the emulator is slower). */
  invocationSeconds: 0.1,
  /** Requests an instance serves at once, as configured (RINGBACK_CONCURRENCY default). */
  concurrency: 80,
  /** Instance memory, GiB (RINGBACK_MEMORY_MIB default 256). */
  memoryGiB: 0.25,
  /** Devices listening per user (each is billed a read per change it sees). */
  devicesPerUser: 1,
} as const;

interface Mix {
  name: string;
  /** Users in a call (caller included). */
  users: number;
  /** The measured lifecycle without heartbeats: start, accepts, end. */
  base: Cost;
  commands: number;
  heartbeat: Cost;
  /** The same lifecycle's push jobs and tasks, with push on (pushCost.ts). */
  push: PushPerCall;
}

/** Per call: documents, tasks and invocations, heartbeats over the assumed call length included. */
function perCall(m: Mix) {
  const pushed = pushCall(m.push);
  const beats = (ASSUMPTIONS.callSeconds / ASSUMPTIONS.heartbeatSeconds) * m.users;
  const taskRounds = ASSUMPTIONS.callSeconds / ASSUMPTIONS.heartbeatTimeoutSeconds;
  const w = (k: keyof Cost["writes"]) => m.base.writes[k] + beats * m.heartbeat.writes[k];
  return {
    reads: m.base.reads + beats * m.heartbeat.reads + pushed.reads,
    writes: {
      calls: w("calls"),
      users: w("users"),
      notifications: w("notifications"),
      push: pushed.writes,
    },
    listenerReads:
      (m.base.listenerReads + beats * m.heartbeat.listenerReads) * ASSUMPTIONS.devicesPerUser,
    // Each scheduled task is one enqueue and one dispatch; each round of a live call one more.
    taskOps: 2 * (m.base.tasks.scheduled + taskRounds) + m.base.tasks.canceled + pushed.taskOps,
    dispatches: m.base.tasks.scheduled + taskRounds,
    // Writes that may move the sweep's sharded index (`shard`, `task_at`, `state`): the
    // commands' call writes and each task round's (it moves `task_at`), but no heartbeat's,
    // which moves only `next_deadline_at` and the heartbeat itself, neither indexed.
    indexWrites: m.base.writes.calls + taskRounds,
    invocations: m.commands + beats + m.base.tasks.scheduled + taskRounds + pushed.tasks,
    // Notifications expire (TTL): one delete each.
    deletes: w("notifications"),
    push: pushed,
  };
}

const fmt = (v: number) =>
  v >= 100 ? Math.round(v).toLocaleString("en-US") : v >= 10 ? v.toFixed(1) : v.toFixed(2);

export interface ScaleResult {
  rates: number[];
  mixes: { name: string; perCall: ReturnType<typeof perCall> }[];
  costPerMillionCalls: Record<string, number>;
}

export function scaleModel(cost: CostResult): { result: ScaleResult; sections: Section[] } {
  const find = (prefix: string) => {
    const l = cost.lifecycles.find((x) => x.name.startsWith(prefix));
    if (!l) throw new Error(`scale: no lifecycle "${prefix}" measured`);
    return l;
  };
  const oneToOne = find("1:1 invite → accept → 3 heartbeats");
  const oneToNine = find("1:9 invite");
  // The 1:1 lifecycle has 3 heartbeats each in it: take them out, the model adds its own.
  const hb = cost.heartbeat;
  const minus = (c: Cost, k: number): Cost => ({
    ...c,
    reads: c.reads - k * hb.reads,
    writes: {
      calls: c.writes.calls - k * hb.writes.calls,
      users: c.writes.users - k * hb.writes.users,
      notifications: c.writes.notifications - k * hb.writes.notifications,
      webhooks: c.writes.webhooks,
      push: c.writes.push,
    },
    listenerReads: c.listenerReads - k * hb.listenerReads,
  });
  const mixes: Mix[] = [
    {
      name: "1:1",
      users: 2,
      base: minus(oneToOne.cost, 6),
      commands: oneToOne.commands - 6,
      heartbeat: hb,
      push: cost.push["1:1"],
    },
    {
      name: "1:9",
      users: 10,
      base: oneToNine.cost,
      commands: oneToNine.commands,
      heartbeat: hb,
      push: cost.push["1:9"],
    },
  ];
  const rates = [100, 1000, 10_000];
  const sections: Section[] = [];
  const result: ScaleResult = { rates, mixes: [], costPerMillionCalls: {} };
  for (const m of mixes) {
    const p = perCall(m);
    result.mixes.push({ name: m.name, perCall: p });
    const rows = rates.map((r) => {
      const callWrites = r * p.writes.calls;
      const indexWrites = r * p.indexWrites;
      const perShard = indexWrites / SHARDS;
      const dispatches = r * p.dispatches;
      const queues = Math.ceil(dispatches / LIMITS.queueDispatchesPerSecond);
      const pushDispatches = r * p.push.tasks;
      const pushQueues = Math.ceil(pushDispatches / LIMITS.queueDispatchesPerSecond);
      const instances = Math.ceil(
        (r * p.invocations * ASSUMPTIONS.invocationSeconds) / ASSUMPTIONS.concurrency,
      );
      const over = [
        ...(queues > QUEUES.default
          ? [
              queues <= QUEUES.max
                ? `deadline queues at the default ${QUEUES.default} (RINGBACK_DEADLINE_QUEUES=${queues} needed)`
                : `deadline queues (${queues} of 500/s needed; at most ${QUEUES.max})`,
            ]
          : []),
        ...(pushQueues > PUSH_QUEUES.default
          ? [
              pushQueues <= PUSH_QUEUES.max
                ? `push queues at the default ${PUSH_QUEUES.default} (${PUSH_QUEUES.param}=${pushQueues} needed)`
                : `push queues (${pushQueues} of 500/s needed; at most ${PUSH_QUEUES.max})`,
            ]
          : []),
        ...(perShard > LIMITS.sequentialIndexWritesPerSecond
          ? [
              `sweep index shard (${Math.ceil(indexWrites / LIMITS.sequentialIndexWritesPerSecond)} shards needed)`,
            ]
          : []),
      ];
      const first = over.length ? over.join("; ") : "none";
      return [
        r.toLocaleString("en-US"),
        fmt(r * p.reads),
        fmt(callWrites),
        fmt(r * p.writes.users),
        fmt(r * p.writes.notifications),
        fmt(r * p.writes.push),
        fmt(perShard),
        fmt(dispatches),
        queues,
        fmt(pushDispatches),
        pushQueues,
        fmt(r * p.invocations),
        instances,
        first,
      ];
    });
    sections.push({
      title: `8. Scale (${m.name} calls, ${ASSUMPTIONS.callSeconds} s each when answered): per second at each call-start rate`,
      head: [
        "starts/s",
        "reads/s",
        "calls writes/s",
        "users writes/s",
        "notif. writes/s",
        "push job writes/s",
        `sweep index writes/s a shard (${SHARDS}, at most)`,
        "deadline task dispatches/s",
        "deadline queues needed",
        "push task dispatches/s",
        "push queues needed",
        "invocations/s",
        "instances",
        "limits exceeded",
      ],
      rows,
    });
    const usd =
      ((p.reads + p.listenerReads) * PRICES.firestoreReadPer100k) / 1e5 +
      ((p.writes.calls + p.writes.users + p.writes.notifications + p.writes.push) *
        PRICES.firestoreWritePer100k) /
        1e5 +
      (p.deletes * PRICES.firestoreDeletePer100k) / 1e5 +
      (p.taskOps * PRICES.tasksOpPerMillion) / 1e6 +
      (p.invocations * PRICES.functionsRequestPerMillion) / 1e6 +
      p.invocations *
        ASSUMPTIONS.invocationSeconds *
        (PRICES.vcpuSecond + ASSUMPTIONS.memoryGiB * PRICES.gibSecond);
    result.costPerMillionCalls[m.name] = usd * 1e6;
  }
  const p1 = result.mixes[0]?.perCall;
  sections.push({
    title: "8c. Per call, as measured on this code, and the cost of a million calls at list prices",
    head: [
      "mix",
      "reads",
      "writes",
      "client listener reads",
      "task ops",
      "invocations",
      "USD / million calls",
    ],
    rows: result.mixes.map(({ name, perCall: p }) => [
      name,
      fmt(p.reads),
      fmt(p.writes.calls + p.writes.users + p.writes.notifications + p.writes.push),
      fmt(p.listenerReads),
      fmt(p.taskOps),
      fmt(p.invocations),
      `$${fmt(result.costPerMillionCalls[name] ?? NaN)}`,
    ]),
    notes: [
      `Assumed: answered calls last ${ASSUMPTIONS.callSeconds} s with a heartbeat every ${ASSUMPTIONS.heartbeatSeconds} s from each user; an invocation holds its instance ${ASSUMPTIONS.invocationSeconds * 1000} ms (billed as if alone on it: an upper bound), ${ASSUMPTIONS.concurrency} requests an instance; ${ASSUMPTIONS.devicesPerUser} listening device a user. Prices and limits: SCALE.md.`,
      ...(p1
        ? [
            `1:1: ${fmt(p1.dispatches)} deadline-task dispatches a call: one queue (500/s) serves ${fmt(LIMITS.queueDispatchesPerSecond / p1.dispatches)} starts/s, the default ${QUEUES.default} queues ${fmt((QUEUES.default * LIMITS.queueDispatchesPerSecond) / p1.dispatches)}, all ${QUEUES.max} ${fmt((QUEUES.max * LIMITS.queueDispatchesPerSecond) / p1.dispatches)}.`,
            `1:1 with push on: ${p1.push.tasks} push tasks a call (${fmt(p1.push.writes)} push job writes, ${fmt(p1.push.reads)} reads): one push queue serves ${fmt(LIMITS.queueDispatchesPerSecond / p1.push.tasks)} starts/s, the default ${PUSH_QUEUES.default} ${fmt((PUSH_QUEUES.default * LIMITS.queueDispatchesPerSecond) / p1.push.tasks)}. Push is counted in every figure above (an app without it has fewer).`,
          ]
        : []),
    ],
  });
  return { result, sections };
}

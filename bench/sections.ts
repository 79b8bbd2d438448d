/**
 * The bench's report sections for latency (1, 1b), cost (2a, 2b), deadline timing (6, 6b),
 * throughput (4) and cold start: what each result is shown as in BENCHMARKS.md and on the
 * console. Sections that belong to one measurement's file live there (sweep, http, push…).
 */
import type { LatencyResult } from "./latency.js";
import { ms, x, type Summary } from "./lib/stats.js";
import type { Section } from "./lib/table.js";
import type { ThroughputResult } from "./throughput.js";
import type { ColdResult } from "./coldstart.js";
import type { TimingResult } from "./timing.js";
import type { Cost, CostResult } from "./cost.js";
import { totalWrites } from "./lib/meteredFirestore.js";

const med = (s: Summary) => ms(s.median);
const p95 = (s: Summary) => ms(s.p95);
const blank = (k: number) => Array.from({ length: k }, () => "");

/** startCall's phases as the tables name them (functions/src/dev/benchTimings.ts records them). */
const PHASE_NAMES: Record<string, string> = {
  validation: "validation (schema, identity)",
  auth_lookup: "Auth lookup of the callees",
  device_check: "device check",
  tx_read: "transaction read (call, users, bucket)",
  tx_read_busy: "busy check reads",
  lookup_wait: "lookup wait (after the reads)",
  commit: "commit",
  post_commit: "post-commit work",
  total: "total in the function",
};

export function latencySections(r: LatencyResult, warmup: number): Section[] {
  const sections: Section[] = [];
  const target = (v: number, max: number) => `${x(v)} (target ≤ ${max.toFixed(2)}×)`;
  const cmd = (name: string, s: Summary, k: "ring" | "accept" | "end") => [
    name,
    med(s),
    p95(s),
    x(r.ratios[k].median),
    x(r.ratios[k].p95),
    x(r.ratiosToWrite[k].median),
    x(r.ratiosToSameWork[k].median),
    x(r.ratiosToSameWork[k].p95),
  ];
  const floorD = (k: "ring" | "accept" | "end", docs: string) => [
    `floor (d): ${k}'s documents (${docs}) in one transaction → listener`,
    med(r.floorSameWork[k]),
    p95(r.floorSameWork[k]),
    "",
    "",
    "",
    "",
    "",
  ];
  sections.push({
    title: `1. Latency: invoke → the other user's listener sees it (${r.iterations} calls measured after ${warmup} warm-up, ${r.users} users)`,
    head: [
      "",
      "median",
      "p95",
      "× floor (c) median",
      "× floor (c) p95",
      "× floor (b) median",
      "× floor (d) median",
      "× floor (d) p95",
    ],
    rows: [
      cmd("ring (startCall → callee ringing)", r.ring, "ring"),
      cmd("accept (acceptCall → caller in call)", r.accept, "accept"),
      cmd("end (endCall → callee idle)", r.end, "end"),
      ["startCall's answer to the caller", med(r.startAnswer), p95(r.startAnswer), ...blank(5)],
      ["floor (a): admin write → listener", med(r.floorAdmin), p95(r.floorAdmin), ...blank(5)],
      [
        "floor (b): one-write callable → listener",
        med(r.floorCallable),
        p95(r.floorCallable),
        "",
        "",
        "1.00×",
        "",
        "",
      ],
      [
        "floor (c): one-transaction callable → listener",
        med(r.floorTransaction),
        p95(r.floorTransaction),
        "1.00×",
        "1.00×",
        ...blank(3),
      ],
      floorD("ring", "3 reads, 7 writes"),
      floorD("accept", "2 reads, 6 writes"),
      floorD("end", "2 reads, 4 writes"),
    ],
    notes: [
      `Floor (d) runs each command's documents (test/integration/cost.test.ts's counts) in one transaction with no Ringback logic: × floor (d) is Ringback's own overhead. Ring / floor (d) ${target(r.ratiosToSameWork.ring.median, 1.2)}.`,
      `Targets (medians, this run): ring ${target(r.ratios.ring.median, 1.3)}, accept ${target(r.ratios.accept.median, 1.3)}, end ${target(r.ratios.end.median, 1.3)} of floor (c); ring / accept ${target(r.ringOverAccept, 1.15)}; startCall's answer / ring ${target(r.answerOverRing, 1.15)}.`,
    ],
  });
  const phases = Object.entries(r.breakdown);
  if (phases.length > 0) {
    sections.push({
      title: "1b. Where ring's time goes: startCall's phases as the function recorded them",
      head: ["phase", "median", "p95"],
      rows: phases.map(([name, s]) =>
        name === "tx_attempts"
          ? [name, s.median.toFixed(0), s.p95.toFixed(0)]
          : [PHASE_NAMES[name] ?? name, med(s), p95(s)],
      ),
      notes: [
        "The Auth lookup and the device check run beside the transaction's reads; `lookup wait` is how much longer they took than the reads. Deadline tasks are enqueued beside the commit; `post-commit` is what is left after it.",
      ],
    });
  }
  return sections;
}

export function timingSections(r: TimingResult): Section[] {
  const sections: Section[] = [];
  const row = (name: string, target: string, t: Summary | null) =>
    t ? [name, target, t.n, med(t), p95(t), ms(t.max)] : [name, target, 0, "-", "-", "-"];
  sections.push({
    title: `6. Deadline timing: deadline → a client's listener sees it (${r.runs} runs each)`,
    head: ["deadline", "target", "runs", "median", "p95", "worst"],
    rows: [
      row("invitation timeout (2 s)", "≤ 1500 ms", r.invitation),
      row("not-received check (5 s)", "≤ 1000 ms", r.receipt),
      row("heartbeat timeout (60 s)", "≤ 2000 ms", r.heartbeat),
    ],
    notes: [
      ...(r.heartbeat ? [] : ["The heartbeat timeout (60 s) is measured in the full run only."]),
      `Deadlines not seen within 10 s, or whose call failed: ${r.missed}.`,
      ...Object.entries(r.missedReasons).map(([k, v]) => `Missed (${k}): ${v.join("; ")}`),
    ],
  });
  if (r.tasks) {
    const t = r.tasks;
    sections.push({
      title: `6b. The deadline tasks' time (${t.tasks} tasks, as the function logged it)`,
      head: ["", "median", "p95", "worst"],
      rows: [
        [
          "deadline → handler starts (queue, emulator worker)",
          med(t.startedLate),
          p95(t.startedLate),
          ms(t.startedLate.max),
        ],
        [
          "in the handler (Ringback's settle)",
          med(t.inFunction),
          p95(t.inFunction),
          ms(t.inFunction.max),
        ],
        ["of which the commit", med(t.commit), p95(t.commit), ms(t.commit.max)],
      ],
      notes: [
        `Transactions that ran more than once (contention on the call doc): ${t.retriedTransactions}; tasks that were a queue retry: ${t.queueRetries}; requests the functions emulator failed because a new worker did not load in time ("Failed to load function", whole stack run): ${t.workerLoadFailures}.`,
      ],
    });
  }
  return sections;
}

export function coldSection(r: ColdResult): Section {
  return {
    title: `5. Cold start: load the entry point in a fresh Node process (${r.runs} runs each)`,
    head: [
      "",
      "require median",
      "require p95",
      "process median",
      "process p95",
      "RSS",
      "functions",
    ],
    rows: [
      [
        "functions/lib/index.js",
        med(r.ringback.load),
        p95(r.ringback.load),
        med(r.ringback.process),
        p95(r.ringback.process),
        `${r.ringback.rssMb.toFixed(0)} MiB`,
        r.ringback.exports,
      ],
      [
        "minimal one-callable module",
        med(r.minimal.load),
        p95(r.minimal.load),
        med(r.minimal.process),
        p95(r.minimal.process),
        `${r.minimal.rssMb.toFixed(0)} MiB`,
        r.minimal.exports,
      ],
      ["ratio", x(r.ratio.load), "", x(r.ratio.process), "", "", ""],
    ],
  };
}

export function throughputSection(r: ThroughputResult): Section {
  return {
    title: `4. Throughput through the functions emulator: ${r.pairs} caller/callee pairs for ${r.seconds} s (the emulator's figure, not Ringback's: 5b is Ringback's)`,
    head: [
      "lifecycles/s",
      "commands/s",
      "completed",
      "errors",
      "lifecycle median",
      "lifecycle p95",
    ],
    rows: [
      [
        r.perSecond.toFixed(1),
        r.commandsPerSecond.toFixed(1),
        r.completed,
        r.errors,
        med(r.lifecycle),
        p95(r.lifecycle),
      ],
    ],
    notes: [
      `Warm-up (unmeasured, ramping 5, 10, 20 … pairs): ${r.warmup.rounds} rounds, ${r.warmup.failed} of ${r.warmup.lifecycles} lifecycles failed` +
        (r.warmup.clean
          ? "."
          : "; it never ran clean, so the window above ran on a partly cold emulator."),
      ...r.errorSamples,
    ],
  };
}

const costRow = (name: string, c: Cost) => [
  name,
  c.reads,
  totalWrites(c),
  `${c.writes.calls}/${c.writes.users}/${c.writes.notifications}/${c.writes.webhooks + c.writes.push}`,
  c.ops,
  c.listenerReads,
];
const COST_HEAD = ["", "reads", "writes", "calls/users/notif./outbox", "total", "listener reads"];

/** Sections 2a and 2b: documents read and written per command and per lifecycle. */
export function costSections(r: CostResult): Section[] {
  return [
    {
      title: "2a. Cost per command (Firestore documents)",
      head: COST_HEAD,
      rows: r.commands.map((c) => costRow(c.name, c.cost)),
      notes: [
        `A heartbeat on its own: ${r.heartbeat.reads} read, ${totalWrites(r.heartbeat)} write.`,
      ],
    },
    {
      title: "2b. Cost per lifecycle",
      head: [...COST_HEAD, "commands"],
      rows: r.lifecycles.map((l) => [...costRow(l.name, l.cost), l.commands]),
    },
  ];
}

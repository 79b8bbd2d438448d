/**
 * 7. Webhooks, in a stack whose functions post callbacks to this process (scripts/bench.mjs
 * starts it after the other sections): commit → receiver latency of call_create and
 * call_accept (the outbox entry's commit time against the moment the receiver got it), and
 * throughput with webhooks on, beside the same measurement with them off from the first stack.
 */
import { randomUUID } from "node:crypto";
import { newUser, type TestUser } from "../test/support/clients.js";
import { Receiver } from "../test/support/receiver.js";
import { adminDb, pool } from "./lib/admin.js";
import { ms, summarize, type Summary } from "./lib/stats.js";
import type { Section } from "./lib/table.js";
import { throughput, type ThroughputOptions, type ThroughputResult } from "./throughput.js";
import { PRIVATE_COLLECTIONS } from "../functions/src/model/collections.js";

export interface WebhookBenchResult {
  calls: number;
  commitToReceiver: Record<"call_create" | "call_accept", Summary>;
  missed: number;
  throughputOn: ThroughputResult;
}

export async function webhookBench(
  opts: { calls: number; throughput: ThroughputOptions },
  progress: (msg: string) => void,
): Promise<WebhookBenchResult> {
  const receiver = await new Receiver().start();
  try {
    const pairs = await pool(Array.from({ length: opts.calls }), 10, async () => {
      const [a, b] = await Promise.all([newUser("wh-a"), newUser("wh-b")]);
      await b.call("registerDevice", { device_id: `d-${b.uid.slice(0, 8)}`, platform: "web" });
      return [a, b] as [TestUser, TestUser];
    });
    const samples = { call_create: [] as number[], call_accept: [] as number[] };
    let missed = 0;
    for (const [i, [a, b]] of pairs.entries()) {
      const callId = `whb-${randomUUID()}`;
      await a.call("startCall", { call_id: callId, callees: [{ id: b.uid }], type: 1 });
      await b.call("acceptCall", { call_id: callId });
      await a.call("endCall", { call_id: callId });
      try {
        await receiver.until(() => receiver.accepted(callId).length >= 3, callId, 20_000);
      } catch {
        missed += 1;
        continue;
      }
      const box = await adminDb()
        .collection(PRIVATE_COLLECTIONS.webhookEvents)
        .where("call_id", "==", callId)
        .get();
      for (const e of box.docs) {
        const name = e.get("event") as string;
        if (name !== "call_create" && name !== "call_accept") continue;
        const got = receiver.accepted(callId).find((d) => d.headers["ringback-event-id"] === e.id);
        if (got) samples[name].push(got.at - e.get("created_at").toMillis());
      }
      if ((i + 1) % 10 === 0) progress(`webhooks: ${i + 1}/${pairs.length}`);
    }
    await Promise.all(pairs.flat().map((u) => u.close()));
    progress("webhooks: throughput with webhooks on");
    const throughputOn = await throughput(opts.throughput, progress);
    return {
      calls: pairs.length,
      commitToReceiver: {
        call_create: summarize(samples.call_create),
        call_accept: summarize(samples.call_accept),
      },
      missed,
      throughputOn,
    };
  } finally {
    await receiver.close();
  }
}

/**
 * Section 7 of the report: commit → receiver, and throughput with webhooks on beside the first
 * stack's throughput with them off (`off`, when this run merges into a whole one).
 */
export function webhookSection(
  r: WebhookBenchResult,
  off: { perSecond: number; lifecycle: Summary } | undefined,
): Section {
  const med = (s: Summary) => ms(s.median);
  const p95 = (s: Summary) => ms(s.p95);
  const on = r.throughputOn;
  return {
    title: `7. Webhooks: commit → receiver (${r.calls} calls), throughput on vs off`,
    head: ["", "median", "p95", "lifecycles/s"],
    rows: [
      [
        "call_create: commit → receiver",
        med(r.commitToReceiver.call_create),
        p95(r.commitToReceiver.call_create),
        "",
      ],
      [
        "call_accept: commit → receiver",
        med(r.commitToReceiver.call_accept),
        p95(r.commitToReceiver.call_accept),
        "",
      ],
      [
        "throughput lifecycle, webhooks off",
        off ? med(off.lifecycle) : "-",
        off ? p95(off.lifecycle) : "-",
        off ? off.perSecond.toFixed(1) : "-",
      ],
      [
        "throughput lifecycle, webhooks on",
        med(on.lifecycle),
        p95(on.lifecycle),
        on.perSecond.toFixed(1),
      ],
    ],
    notes: [
      `Calls whose events did not all arrive within 20 s: ${r.missed}. Throughput errors with webhooks on: ${on.errors}.`,
      ...(off ? [] : ["(webhooks off: run the whole `npm run bench` for the comparison)"]),
    ],
  };
}

/**
 * 5c. What screening costs a start (docs/protocol.md "Who may ring whom"): startCall's answer
 * and its ring (the callee's user doc showing `ringing`, seen by a listener) with the ring
 * limits on and every callee keeping a block list, against the limits off and no block lists,
 * in the same run, the two interleaved start by start so that drift hits both alike. Ringback's
 * adapters run in this process against the Firestore emulator (as section 5b), so the figures
 * are Ringback's and Firestore's, not the functions emulator's. The block reads themselves are
 * in every start (one block doc per callee, in the first round trip beside the user docs);
 * "on" adds the ring-limit logs to that round trip, their update to the commit, and block
 * lists that exist. Target: "on" within 1.1× of "off".
 */
import { randomUUID } from "node:crypto";
import { Timestamp } from "firebase-admin/firestore";
import type { Ctx } from "../functions/src/adapters/context.js";
import { collections } from "../functions/src/adapters/store/firestore.js";
import type { CoreConfig } from "../functions/src/core/types.js";
import { adminDb, clearProject } from "./lib/admin.js";
import { startDirect } from "./lib/inProcess.js";
import { ms, now, ratio, summarize, x, type Summary } from "./lib/stats.js";
import type { Section } from "./lib/table.js";

export const SCREENING_PROJECT = "demo-ringback-bench-screening";

export interface ScreeningRow {
  variant: "off" | "on";
  answer: Summary;
  ring: Summary;
}

/** Blocks each callee keeps (of other users, never the caller: every start rings). */
const BLOCKS_PER_CALLEE = 20;

function ctxFor(on: boolean): Ctx {
  const cfg: CoreConfig = {
    heartbeatIntervalS: 20,
    heartbeatTimeoutMs: 60_000,
    // The shipped defaults (params/limits.ts); off: as the stress and main runs set them.
    ...(on ? { ringLimits: { calleePerMinute: 20, pairPerMinute: 5 } } : {}),
  };
  return {
    db: adminDb(SCREENING_PROJECT),
    cfg,
    effects: { deliver: async () => undefined },
  };
}

/** One start from a fresh caller to a fresh callee: [answer ms, ring ms]. */
async function oneStart(ctx: Ctx, blocks: boolean): Promise<[number, number]> {
  const caller = `c-${randomUUID()}`;
  const callee = `e-${randomUUID()}`;
  const col = collections(ctx.db);
  if (blocks) {
    const batch = ctx.db.batch();
    for (let i = 0; i < BLOCKS_PER_CALLEE; i++) {
      const other = `x-${randomUUID()}`;
      batch.set(col.blocked(callee).doc(other), { user_id: other, created_at: Timestamp.now() });
    }
    await batch.commit();
  }
  let t0 = 0;
  let rang: (t: number) => void = () => undefined;
  const ringing = new Promise<number>((resolve) => (rang = resolve));
  let listening: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (listening = resolve));
  const stop = ctx.db
    .collection(col.users.id)
    .doc(callee)
    .onSnapshot((snap) => {
      listening();
      if (t0 > 0 && snap.get("status") === "ringing") rang(now() - t0);
    });
  try {
    await first;
    t0 = now();
    await startDirect(ctx, { caller, callees: [callee] });
    const answer = now() - t0;
    const ring = await Promise.race([
      ringing,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error("no ringing within 20 s")), 20_000),
      ),
    ]);
    return [answer, ring];
  } finally {
    stop();
  }
}

export async function screeningLatency(
  starts: number,
  progress: (msg: string) => void,
): Promise<ScreeningRow[]> {
  await clearProject(SCREENING_PROJECT);
  const off = ctxFor(false);
  const on = ctxFor(true);
  // Warm-up: connections, the listener path, both variants' code.
  await oneStart(off, false);
  await oneStart(on, true);
  progress(`screening: ${starts} starts each, limits and blocks on / off, interleaved`);
  const got = { off: [[], []] as number[][], on: [[], []] as number[][] };
  for (let i = 0; i < starts; i++) {
    for (const [variant, ctx] of (i % 2 === 0
      ? [
          ["off", off],
          ["on", on],
        ]
      : [
          ["on", on],
          ["off", off],
        ]) as ["off" | "on", Ctx][]) {
      const [a, r] = await oneStart(ctx, variant === "on");
      got[variant][0]?.push(a);
      got[variant][1]?.push(r);
    }
  }
  await clearProject(SCREENING_PROJECT);
  return (["off", "on"] as const).map((variant) => ({
    variant,
    answer: summarize(got[variant][0] ?? []),
    ring: summarize(got[variant][1] ?? []),
  }));
}

export function screeningSection(rows: ScreeningRow[]): Section {
  const [off, on] = rows;
  const notes: string[] = [
    `"on": the ring limits at their defaults (20 a minute per callee, 5 per pair) and ${BLOCKS_PER_CALLEE} blocks kept by each callee; "off": no limits, no block lists. Fresh users for every start, so no start is refused; the two alternate start by start.`,
  ];
  if (off && on) {
    const a = ratio(on.answer, off.answer);
    const r = ratio(on.ring, off.ring);
    notes.push(
      `on / off: answer ${x(a.median)} median, ${x(a.p95)} p95; ring ${x(r.median)} median, ${x(r.p95)} p95 (target: within 1.10× at the median).`,
    );
  }
  return {
    title: "5c. Screening's cost to a start: ring limits and block lists on vs off (in process)",
    head: ["variant", "starts", "answer median", "answer p95", "ring median", "ring p95"],
    rows: rows.map((r) => [
      r.variant,
      r.answer.n,
      ms(r.answer.median),
      ms(r.answer.p95),
      ms(r.ring.median),
      ms(r.ring.p95),
    ]),
    notes,
  };
}

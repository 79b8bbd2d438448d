/**
 * Model-based concurrency test: fast-check generates scenarios over 20 signed-in users, each a
 * list of steps; a step is several commands in flight at once from different users through
 * the real callables (start with 1..9 callees in either mode, cancel, accept, decline, end,
 * heartbeat, invite, join, quit, ack; some submitted twice at once), or a time jump that
 * makes every deadline fall due. After every step the invariants (test/support/invariants.ts)
 * are checked over the whole database, and the reference model (test/support/referenceModel.ts,
 * through test/support/oracle.ts) must explain the step: every answer, every user's and call's
 * state, every user doc and every notification written. A failing scenario is shrunk by fast-check to a
 * minimal one; paste it into regressions.json to keep it as a regression test.
 *
 * RINGBACK_STRESS_SCENARIOS (CI: 6), RINGBACK_STRESS_STEPS (CI: 8) and RINGBACK_STRESS_WIDTH
 * (commands a step, CI: 8) set the size;
 * `npm run stress` runs many more. A summary goes to .runtime/stress-summary.json.
 * The generators are in modelScenarios.ts, the commands' driver and the counts in modelDriver.ts.
 */
import fs from "node:fs";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminDb, clearDatabase, dropTasks, triggerSweep } from "../support/admin.js";
import {
  clearListening,
  closeAll,
  liveListeners,
  newUser,
  type TestUser,
} from "../support/clients.js";
import { checkInvariants, type Snapshot } from "../support/invariants.js";
import { Oracle, readView, type Op } from "../support/oracle.js";
import { Receiver } from "../support/receiver.js";
import { checkWebhooks } from "../support/webhookInvariants.js";
import { checkPushes } from "../support/pushInvariants.js";
import { clearPushes } from "../support/pushes.js";
import { send, stats, timeJump } from "./modelDriver.js";
import { MINUTES, scenarioArb, SCENARIOS, SEED, sent, USERS, type Step } from "./modelScenarios.js";
import regressions from "./regressions.json" with { type: "json" };

let people: TestUser[] = [];

/** With webhooks on (the webhook run of `npm test`), every step's events are checked too. */
const WEBHOOKS = Boolean(process.env.RINGBACK_WEBHOOK_URL);
const receiver = new Receiver();

beforeAll(async () => {
  if (WEBHOOKS) await receiver.start();
  people = [];
  for (let i = 0; i < USERS; i += 5) {
    people.push(...(await Promise.all(Array.from({ length: 5 }, (_, j) => newUser(`u${i + j}`)))));
  }
}, 120_000);

afterAll(async () => {
  fs.mkdirSync(".runtime", { recursive: true });
  fs.writeFileSync(".runtime/stress-summary.json", JSON.stringify(stats, null, 2));
  console.log("stress:", JSON.stringify(stats));
  await closeAll();
  await receiver.close();
});

/** A full collection, so the heap after each clear is what the test still holds. */
const collectGarbage = (() => {
  v8.setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

async function clearAll(): Promise<void> {
  // A deadline task of the last scenario (scheduled, retrying, or one that read its call just
  // before the clear) would commit into this one's cleared database: notifications for a
  // call nobody here made. Its tasks mean nothing once the database is cleared: drop them.
  if (!(await dropTasks()))
    throw new Error("stress: a deadline task still being dispatched after 120 s");
  // With every listener stopped (clients.ts, relisten), then listening again from scratch:
  // every user's first snapshot is the cleared database.
  await clearListening(people, clearDatabase);
  // Each user's two listeners and nothing else: a stopped listener kept anywhere holds its
  // whole terminated Firestore client, and the long run ran out of heap on them.
  if (liveListeners() !== people.length * 2)
    throw new Error(`${liveListeners()} snapshot listeners live, ${people.length * 2} expected`);
  collectGarbage();
  const heapMb = Math.round(process.memoryUsage().heapUsed / 1e6);
  stats.heapMbFirst ||= heapMb;
  stats.heapMbMax = Math.max(stats.heapMbMax, heapMb);
  stats.heapMbLast = heapMb;
  await Promise.all(people.map((p) => p.waitState((s) => s === undefined, "cleared")));
  if (WEBHOOKS) {
    // Half the users log in (a device), so call_create names some invitees and not others;
    // each has a push token, and every fourth user a second device (the push oracle).
    await clearPushes();
    await Promise.all(
      people
        .filter((_, i) => i % 2 === 0)
        .map(async (p, i) => {
          const device = (id: string) => ({
            device_id: id,
            platform: "android",
            fcm_token: `${id}-${p.uid}`,
          });
          await p.call("registerDevice", device("phone"));
          if (i % 2 === 0) await p.call("registerDevice", device("tablet"));
        }),
    );
  }
}

/**
 * The webhook oracle after a step; at the end of a scenario, also that every outbox event
 * was delivered to the receiver (deduplicated by event id) once the queue has drained.
 */
async function webhookStep(n: number, last: boolean): Promise<void> {
  let { violations, entries } = await checkWebhooks(adminDb());
  stats.webhookChecks += 1;
  if (last && violations.length === 0) {
    for (let i = 0; i < 200 && entries.some((e) => e.status !== "delivered"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      ({ violations, entries } = await checkWebhooks(adminDb()));
    }
    const got = new Set(receiver.accepted().map((d) => String(d.headers["ringback-event-id"])));
    const lost = entries.filter((e) => e.status !== "delivered" || !got.has(e.event_id));
    if (lost.length)
      violations.push(`W5: not delivered: ${lost.map((e) => e.event_id).join(", ")}`);
    stats.webhookEvents += entries.length;
    const push = await checkPushes(adminDb());
    stats.pushRings += push.rings;
    violations.push(...push.violations);
  }
  if (violations.length) throw new Error(`webhooks after step ${n}:\n${violations.join("\n")}`);
}

const oracle = new Oracle();

async function run(scenario: Step[]): Promise<void> {
  let t = Date.now();
  await clearAll();
  stats.msClearing += Date.now() - t;
  stats.scenarios += 1;
  oracle.reset();
  const lastCall = new Map<number, string>();
  let previous: Snapshot | undefined;
  for (const [n, step] of scenario.entries()) {
    stats.steps += 1;
    t = Date.now();
    const ops: Op[] = [];
    if (step.k === "jump") {
      stats.jumps += 1;
      oracle.jump(Date.now(), 61_000);
      await timeJump(61_000);
    } else {
      const calls = step.cmds.flatMap(({ cmd, times }) =>
        sent(cmd).flatMap((c) => Array.from({ length: times }, () => c)),
      );
      // Every command is answered before the step can fail: a command still in flight would
      // land in the next run (fast-check's shrinking reruns at once) as a call nobody made.
      const settled = await Promise.allSettled(
        calls.map((cmd) => send(cmd, { n, people, lastCall, ops })),
      );
      const failed = settled.find((r) => r.status === "rejected");
      if (failed) {
        // Shown at once: a long run reports its first failure only after shrinking.
        console.error(`stress: ${String((failed.reason as Error)?.message ?? failed.reason)}`);
        throw failed.reason;
      }
    }
    stats.msCommands += Date.now() - t;
    t = Date.now();
    // A deadline task may still be on its way when the commands are answered (late on a
    // loaded machine): wait until every overdue deadline is applied, nudging the sweep once
    // when a task is very late, so that invariant 7 finds only a deadline nothing applied.
    if ((await readView(adminDb(), triggerSweep)).nudged) oracle.nudges += 1;
    const { violations, snapshot } = await checkInvariants(adminDb(), previous);
    stats.msChecks += Date.now() - t;
    stats.checks += 1;
    if (violations.length) {
      console.error(`stress: invariants broken after step ${n}:\n${violations.join("\n")}`);
      throw new Error(`after step ${n} (${JSON.stringify(step)}):\n${violations.join("\n")}`);
    }
    t = Date.now();
    const difference = await oracle.step(adminDb(), ops, triggerSweep);
    stats.msModel += Date.now() - t;
    stats.modelComparisons = oracle.comparisons;
    stats.modelNodes = oracle.nodes;
    stats.modelMaxNodes = oracle.maxNodes;
    stats.modelSweeps = oracle.nudges;
    if (difference) {
      stats.modelDifferences += 1;
      console.error(`model difference after step ${n}:\n  ${difference}`);
      throw new Error(
        `after step ${n} (${JSON.stringify(step)}), the reference model and the database differ:\n  ${difference}`,
      );
    }
    if (WEBHOOKS) await webhookStep(n, n === scenario.length - 1);
    previous = snapshot;
  }
  for (const c of Object.values(oracle.state.calls))
    stats.undelivered += c.undelivered?.length ?? 0;
}

describe("invariants hold under concurrent commands, retries and time jumps", () => {
  for (const [i, scenario] of (regressions as Step[][]).entries()) {
    it(`regression ${i + 1}`, async () => {
      await run(scenario);
    }, 300_000);
  }

  it(
    `${SCENARIOS} generated scenarios over ${USERS} users`,
    async () => {
      const regressionsRun = stats.scenarios;
      const out = await fc.check(fc.asyncProperty(scenarioArb, run), {
        numRuns: SCENARIOS,
        ...(SEED !== undefined ? { seed: SEED } : {}),
        interruptAfterTimeLimit: MINUTES * 60_000,
        markInterruptAsFailure: false,
        endOnFailure: false,
      });
      // A run cut short by the time limit is reported as such, with what it did run.
      stats.timeLimitHit = out.interrupted;
      stats.scenariosGenerated = stats.scenarios - regressionsRun;
      if (out.interrupted) {
        console.warn(
          `stress: hit the ${MINUTES}-minute limit after ${stats.scenariosGenerated} of ` +
            `${SCENARIOS} generated scenarios (${stats.commands} commands in all)`,
        );
      }
      if (out.failed) {
        // The counterexample alone does not say what broke: add the failing step's own error.
        const cause = out.errorInstance instanceof Error ? out.errorInstance.message : "";
        throw new Error(`${fc.defaultReportMessage(out) ?? "stress run failed"}\n${cause}`);
      }
      expect(stats.commands).toBeGreaterThan(0);
    },
    (MINUTES + 15) * 60_000,
  );
});

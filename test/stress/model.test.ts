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
 */
import fs from "node:fs";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { Timestamp } from "firebase-admin/firestore";
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
import type { Answer, Command } from "../support/referenceModel.js";
import { Receiver } from "../support/receiver.js";
import { checkWebhooks } from "../support/webhookInvariants.js";
import { checkPushes } from "../support/pushInvariants.js";
import { clearPushes } from "../support/pushes.js";
import regressions from "./regressions.json" with { type: "json" };

const USERS = 20;
const SCENARIOS = Number(process.env.RINGBACK_STRESS_SCENARIOS ?? 6);
const MAX_STEPS = Number(process.env.RINGBACK_STRESS_STEPS ?? 8);
// At most this many commands generated for one step, all sent at once (before double submits).
const WIDTH = Number(process.env.RINGBACK_STRESS_WIDTH ?? 8);
// How long the generated scenarios may run before fast-check stops (the count run is reported).
const MINUTES = Number(process.env.RINGBACK_STRESS_MINUTES ?? 45);
const SEED = process.env.RINGBACK_STRESS_SEED
  ? Number(process.env.RINGBACK_STRESS_SEED)
  : undefined;

type Simple = "accept" | "decline" | "cancel" | "end" | "heartbeat" | "join" | "quit" | "ack";
type Cmd =
  | {
      k: "start";
      u: number;
      callees: number[];
      mode: "common" | "advanced";
      timeout: number;
      check: boolean;
    }
  | { k: "invite"; u: number; callees: number[] }
  | { k: "block" | "unblock"; u: number; other: number }
  /** Each of `by` blocks (unblocks) `u`: one blockUser (unblockUser) command each. */
  | { k: "blocks" | "unblocks"; u: number; by: number[] }
  | { k: Simple; u: number };
type Sent = Exclude<Cmd, { k: "blocks" | "unblocks" }>;
type Step = { k: "cmds"; cmds: { cmd: Cmd; times: number }[] } | { k: "jump" };
const sent = (cmd: Cmd): Sent[] =>
  "by" in cmd
    ? cmd.by.map((b) => ({ k: cmd.k === "blocks" ? "block" : "unblock", u: b, other: cmd.u }))
    : [cmd];

const user = fc.integer({ min: 0, max: USERS - 1 });
// 1..9 callees (a full call of 10), small groups the most often.
const others = fc.oneof(
  { weight: 3, arbitrary: fc.uniqueArray(user, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.uniqueArray(user, { minLength: 4, maxLength: 9 }) },
);
// Blocks: several users block (or unblock) one of the first three at once, so that those
// three's calls often meet a callee who blocked them.
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constantFrom("blocks" as const, "blocks" as const, "unblocks" as const),
      u: fc.integer({ min: 0, max: 2 }),
      by: fc.uniqueArray(user, { minLength: 1, maxLength: 6 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant("start" as const),
      u: user,
      callees: others,
      mode: fc.constantFrom("common" as const, "advanced" as const),
      timeout: fc.constantFrom(2, 60),
      check: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("invite" as const),
      u: user,
      callees: fc.uniqueArray(user, { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constantFrom<Simple>(
        "accept",
        "decline",
        "cancel",
        "end",
        "heartbeat",
        "join",
        "quit",
        "ack",
      ),
      u: user,
    }),
  },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constant("cmds" as const),
      cmds: fc.array(fc.record({ cmd: cmdArb, times: fc.constantFrom(1, 1, 1, 2) }), {
        minLength: 1,
        maxLength: WIDTH,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ k: "jump" as const }) },
);
const scenarioArb = fc.array(stepArb, { minLength: 1, maxLength: MAX_STEPS });

/** Errors a command may meet in some state; anything else (internal...) is a bug. */
const EXPECTED = new Set([
  "functions/failed-precondition",
  "functions/not-found",
  "functions/permission-denied",
  "functions/already-exists",
  "functions/resource-exhausted",
]);
/**
 * `aborted` (a transaction that kept losing to concurrent ones) is an answer only if the
 * client's retry then gets through: it is retried this many times, and counted when a retry
 * succeeds (or meets an expected refusal); otherwise the run fails.
 */
const ABORTED_RETRIES = 3;

let people: TestUser[] = [];
const stats = {
  scenarios: 0,
  steps: 0,
  commands: 0,
  refused: 0,
  /** Commands answered `aborted` whose retry then got through. */
  aborted: 0,
  jumps: 0,
  checks: 0,
  groupStarts: 0, // startCall with 4 to 9 callees
  /** blockUser/unblockUser sent, and invitees the model saw left undelivered (a block). */
  blocks: 0,
  undelivered: 0,
  // Where the time goes (ms): clearing between scenarios, commands in flight, invariant checks.
  msClearing: 0,
  msCommands: 0,
  msChecks: 0,
  /** With webhooks on: webhook oracle checks, and outbox events delivered and matched. */
  webhookChecks: 0,
  webhookEvents: 0,
  /** With webhooks on (users have devices): ring pushes checked by the push oracle. */
  pushRings: 0,
  /** The reference model (test/support/referenceModel.ts) against the database, every step. */
  modelComparisons: 0,
  modelDifferences: 0,
  /** Serializations the oracle tried (all steps; the most for one step). */
  modelNodes: 0,
  modelMaxNodes: 0,
  /** Steps after which a deadline task was so late that the sweep (the backstop) had to run. */
  modelSweeps: 0,
  msModel: 0,
  // Whether the generated scenarios stopped at RINGBACK_STRESS_MINUTES before all ran.
  scenariosPlanned: SCENARIOS,
  scenariosGenerated: 0,
  timeLimitHit: false,
  /** The test's heap (MB) after each clear: the first, the largest, the last (a leak shows). */
  heapMbFirst: 0,
  heapMbMax: 0,
  heapMbLast: 0,
};

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

/** Moves every live call's clock back by `ms`, as if that much time had passed, then sweeps. */
async function timeJump(ms: number): Promise<void> {
  const db = adminDb();
  const live = await db.collection("calls").where("state", "!=", "ended").get();
  const back = (t: unknown) =>
    t instanceof Timestamp ? Timestamp.fromMillis(t.toMillis() - ms) : t;
  await Promise.all(
    live.docs.map((d) =>
      db.runTransaction(async (tx) => {
        const c = (await tx.get(d.ref)).data();
        if (!c || c.state === "ended") return;
        const users: Record<string, Record<string, unknown>> = {};
        for (const [k, u] of Object.entries(c.users as Record<string, Record<string, unknown>>)) {
          const moved: Record<string, unknown> = { ...u };
          for (const f of ["deadline_at", "heartbeat_at", "receipt_deadline_at"]) {
            if (moved[f] !== undefined) moved[f] = back(moved[f]);
          }
          users[k] = moved;
        }
        tx.update(d.ref, {
          users,
          deadline_at: back(c.deadline_at),
          created_at: back(c.created_at),
          next_deadline_at: back(c.next_deadline_at),
          ...(c.connected_at !== undefined ? { connected_at: back(c.connected_at) } : {}),
        });
      }),
    ),
  );
  await triggerSweep();
}

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
        calls.map(async (cmd) => {
          // A command for a user with no call goes to the next user who has one, so that most
          // generated commands act on live calls.
          let actor = cmd.u;
          const own = cmd.k === "start" || cmd.k === "block" || cmd.k === "unblock";
          if (!own && !people[actor]?.state()?.call_id && !lastCall.has(actor)) {
            for (let j = 1; j < USERS; j++) {
              const v = (cmd.u + j) % USERS;
              if (people[v]?.state()?.call_id) {
                actor = v;
                break;
              }
            }
          }
          const me = people[actor] as TestUser;
          const callId = me.state()?.call_id ?? lastCall.get(actor);
          // Never the acting user (a command can move to another actor, above).
          const ids = (us: number[]) =>
            us.filter((x) => x !== actor).map((x) => ({ id: (people[x] as TestUser).uid }));
          let name: string;
          let body: Record<string, unknown>;
          if (cmd.k === "block" || cmd.k === "unblock") {
            if (cmd.other === actor) return;
            stats.blocks += 1;
            name = `${cmd.k}User`;
            body = { user_id: (people[cmd.other] as TestUser).uid };
          } else if (cmd.k === "start") {
            const callees = ids(cmd.callees);
            if (!callees.length) return;
            if (callees.length >= 4) stats.groupStarts += 1;
            name = "startCall";
            body = {
              callees,
              type: 1,
              mode: cmd.mode,
              timeout: cmd.timeout,
              not_received_check: cmd.check,
            };
          } else {
            if (!callId) return;
            if (cmd.k === "invite") {
              const callees = ids(cmd.callees);
              if (!callees.length) return;
              name = "inviteToCall";
              body = { call_id: callId, callees };
            } else {
              name = {
                accept: "acceptCall",
                decline: "declineCall",
                cancel: "cancelCall",
                end: "endCall",
                heartbeat: "heartbeat",
                join: "joinCall",
                quit: "quitCall",
                ack: "ackCall",
              }[cmd.k];
              body = cmd.k === "decline" ? { call_id: callId, type: 1 } : { call_id: callId };
            }
          }
          stats.commands += 1;
          const sent = Date.now();
          // The command as the reference model reads it (uids, the call it names).
          const model = (answer: Answer, callId: string): Command => {
            const uids = ((body.callees ?? []) as { id: string }[]).map((c) => c.id);
            if (cmd.k === "start") {
              return {
                name: "startCall",
                actor: me.uid,
                callees: uids,
                mode: cmd.mode,
                timeout: cmd.timeout,
                check: cmd.check,
                call_id: answer.ok ? answer.call_id : "",
              };
            }
            if (cmd.k === "block" || cmd.k === "unblock") {
              const user_id = String(body.user_id);
              return { name: `${cmd.k}User`, actor: me.uid, call_id: "", user_id };
            }
            if (cmd.k === "invite") {
              return { name: "inviteToCall", actor: me.uid, call_id: callId, callees: uids };
            }
            return {
              name: name as Exclude<
                Command["name"],
                "startCall" | "inviteToCall" | "blockUser" | "unblockUser"
              >,
              actor: me.uid,
              call_id: callId,
              ...(cmd.k === "decline" ? { type: 1 as const } : {}),
            };
          };
          const record = (answer: Answer) =>
            ops.push({
              cmd: model(answer, String(body.call_id ?? "")),
              answer,
              sent,
              answered: Date.now(),
            });
          for (let attempt = 0; ; attempt++) {
            try {
              const r = await me.call<Record<string, unknown> & { call_id?: string }>(name, body);
              if (cmd.k === "start" && r.call_id) {
                for (const u of [cmd.u, ...cmd.callees]) lastCall.set(u, r.call_id);
              }
              const sorted = (x: unknown) =>
                Array.isArray(x) ? (x as string[]).map(String).sort() : undefined;
              record({
                ok: true,
                call_id: String(r.call_id ?? ""),
                ...(r.state !== undefined ? { state: r.state as never } : {}),
                ...(r.state !== undefined ? { end_reason: (r.end_reason ?? null) as never } : {}),
                ...(r.user_state !== undefined ? { user_state: r.user_state as never } : {}),
                ...(cmd.k === "invite"
                  ? { invited: sorted(r.invited), busy: sorted(r.busy), already: sorted(r.already) }
                  : {}),
              });
              if (attempt > 0) stats.aborted += 1;
              break;
            } catch (e) {
              const code = (e as { code?: string }).code ?? String(e);
              if (code === "functions/aborted" && attempt < ABORTED_RETRIES) continue;
              const reason = (e as { details?: { reason?: string } }).details?.reason ?? "";
              if (EXPECTED.has(code)) record({ ok: false, code, reason });
              if (!EXPECTED.has(code)) {
                throw new Error(
                  `step ${n}: ${name} ${JSON.stringify(body)} by u${cmd.u} answered ${code}` +
                    `${attempt > 0 ? ` after ${attempt} aborted attempts` : ""}: ${(e as Error).message}`,
                );
              }
              if (attempt > 0) stats.aborted += 1;
              stats.refused += 1;
              break;
            }
          }
        }),
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

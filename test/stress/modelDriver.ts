/**
 * The stress model's driver (test/stress/model.test.ts): sends one generated command through
 * the real callables as its user (retrying `aborted`), records it with its answer as the
 * reference model reads it, moves every live call's clock for a time jump, and counts it all.
 */
import { Timestamp } from "firebase-admin/firestore";
import { adminDb, triggerSweep } from "../support/admin.js";
import { names } from "../support/names.js";
import type { TestUser } from "../support/clients.js";
import type { Op } from "../support/oracle.js";
import type { Answer, Command } from "../support/referenceModel.js";
import { SCENARIOS, USERS, type Sent } from "./modelScenarios.js";

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

export const stats = {
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

/** What one step's commands share: the users, each one's last call, the step's answers. */
export interface StepContext {
  /** The step's number in its scenario (for errors). */
  n: number;
  people: TestUser[];
  lastCall: Map<number, string>;
  ops: Op[];
}

/** Sends one command of a step and records its answer in `ops`; throws on an unexpected one. */
export async function send(cmd: Sent, { n, people, lastCall, ops }: StepContext): Promise<void> {
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
}

/** Moves every live call's clock back by `ms`, as if that much time had passed, then sweeps. */
export async function timeJump(ms: number): Promise<void> {
  const db = adminDb();
  const live = await db.collection(names.calls).where("state", "!=", "ended").get();
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
          task_at: back(c.task_at), // what the sweep queries: its moment passes with the rest
          ...(c.connected_at !== undefined ? { connected_at: back(c.connected_at) } : {}),
        });
      }),
    ),
  );
  await triggerSweep();
}

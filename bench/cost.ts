/**
 * 2. Cost: Firestore document reads and writes of each command and of whole lifecycles,
 * counted by a Meter around the Firestore handle the adapters are given (lib/meteredFirestore). The commands run in this process through the same adapter entry
 * points the callables use (the callables add only validation and an Auth lookup), on a
 * project of their own so that the sweep sees only its own calls.
 */
import { randomUUID } from "node:crypto";
import { listCalls } from "../functions/src/adapters/calls/list.js";
import { runCommand, runInvite, runJoin } from "../functions/src/adapters/calls/runCommand.js";
import type { Ctx } from "../functions/src/adapters/context.js";
import { loggedOut } from "../functions/src/adapters/calls/devices.js";
import { sweepDue } from "../functions/src/adapters/calls/sweep.js";
import { accept, cancel, decline, end, heartbeat } from "../functions/src/core/commands.js";
import { quit } from "../functions/src/core/group.js";
import type { CallState } from "../functions/src/core/types.js";
import { adminDb, clearProject } from "./lib/admin.js";
import { startDirect } from "./lib/inProcess.js";
import { pushPerCall } from "./pushCost.js";
import { instrumented, Meter, totalWrites, type MeterSnapshot } from "./lib/meteredFirestore.js";

export const COST_PROJECT = "demo-ringback-bench-cost";

export interface Cost extends MeterSnapshot {
  /** Reads + writes. */
  ops: number;
  /**
   * Reads billed to the app's clients by their snapshot listeners: each write to a
   * `users/{uid}` doc or a notification is delivered to (and billed as a read for) the one
   * user who listens to it, per listening device.
   */
  listenerReads: number;
  /** Deadline tasks enqueued and deleted (Cloud Tasks operations), as the effects asked. */
  tasks: { scheduled: number; canceled: number };
}

export interface CostResult {
  commands: { name: string; cost: Cost }[];
  lifecycles: { name: string; cost: Cost; commands: number }[];
  heartbeat: Cost;
  /** The push jobs and tasks of the two lifecycles the scale model uses (pushCost.ts). */
  push: Awaited<ReturnType<typeof pushPerCall>>;
}

const asCost = (s: MeterSnapshot, tasks = { scheduled: 0, canceled: 0 }): Cost => ({
  ...s,
  ops: s.reads + totalWrites(s),
  listenerReads: s.writes.users + s.writes.notifications,
  tasks,
});

const sum = (costs: Cost[]): Cost =>
  asCost(
    {
      reads: costs.reduce((a, c) => a + c.reads, 0),
      transactions: costs.reduce((a, c) => a + c.transactions, 0),
      writes: {
        calls: costs.reduce((a, c) => a + c.writes.calls, 0),
        users: costs.reduce((a, c) => a + c.writes.users, 0),
        notifications: costs.reduce((a, c) => a + c.writes.notifications, 0),
        webhooks: costs.reduce((a, c) => a + c.writes.webhooks, 0),
        push: costs.reduce((a, c) => a + c.writes.push, 0),
      },
    },
    {
      scheduled: costs.reduce((a, c) => a + c.tasks.scheduled, 0),
      canceled: costs.reduce((a, c) => a + c.tasks.canceled, 0),
    },
  );

export async function cost(): Promise<CostResult> {
  await clearProject(COST_PROJECT);
  const meter = new Meter();
  // The effects are counted, not carried out: how many Cloud Tasks operations each command asks.
  const tasks = { scheduled: 0, canceled: 0 };
  const ctx: Ctx = {
    db: instrumented(adminDb(COST_PROJECT), { meter }),
    cfg: { heartbeatIntervalS: 20, heartbeatTimeoutMs: 60_000 },
    effects: {
      deliver: async ({ effect }) => {
        if (effect.kind === "schedule_deadline") tasks.scheduled++;
        if (effect.kind === "cancel_deadline") tasks.canceled++;
        // callbacks and pushes: off here (no channel switch); bench/push.ts counts pushes
      },
    },
  };
  const commands = new Map<string, Cost>();
  /** Runs one command and returns what it cost; the first cost seen under a name is kept. */
  const measure = async <T>(name: string, fn: () => Promise<T>): Promise<[T, Cost]> => {
    const before = meter.snapshot();
    const t0 = { ...tasks };
    const value = await fn();
    const c = asCost(meter.since(before), {
      scheduled: tasks.scheduled - t0.scheduled,
      canceled: tasks.canceled - t0.canceled,
    });
    if (!commands.has(name)) commands.set(name, c);
    return [value, c];
  };
  const expectState = (what: string, got: CallState, want: CallState) => {
    if (got !== want) throw new Error(`cost bench: ${what} left the call ${got}, not ${want}`);
  };
  const uid = () => `u-${randomUUID()}`;
  // As the startCall callable does: the device check (logged out?), then the transaction.
  const start = async (
    caller: string,
    callees: string[],
    timeout = 60,
    mode: "common" | "advanced" = "common",
  ) =>
    startDirect(ctx, { caller, callees, timeout, mode, loggedOut: await loggedOut(ctx, callees) });
  const command = (callId: string, actor: string, fn: Parameters<typeof runCommand>[3]) =>
    runCommand(ctx, callId, actor, fn);

  const lifecycles: CostResult["lifecycles"] = [];

  // 1:1 invite → accept → 3 heartbeats each → end.
  {
    const [a, b] = [uid(), uid()];
    const steps: Cost[] = [];
    const [s, c0] = await measure("startCall (1:1)", () => start(a, [b]));
    steps.push(c0);
    const [r1, c1] = await measure("acceptCall (1:1)", () =>
      command(s.call_id, b, (d) => accept(d, b, {})),
    );
    expectState("accept", r1.state, "ongoing");
    steps.push(c1);
    for (let i = 0; i < 3; i++) {
      for (const who of [a, b]) {
        const [, c] = await measure("heartbeat", () =>
          command(s.call_id, who, (d) => heartbeat(d, who)),
        );
        steps.push(c);
      }
    }
    const [r2, c2] = await measure("endCall (1:1, ongoing)", () =>
      command(s.call_id, a, (d) => end(d, a)),
    );
    expectState("end", r2.state, "ended");
    steps.push(c2);
    lifecycles.push({
      name: "1:1 invite → accept → 3 heartbeats each → end",
      cost: sum(steps),
      commands: steps.length,
    });
  }

  // The same lifecycle with webhooks on: the outbox's writes (one per callback event).
  {
    const on: Ctx = { ...ctx, outbox: true };
    const [a, b] = [uid(), uid()];
    const [s, c0] = await measure("startCall (1:1, webhooks on)", () =>
      startDirect(on, { caller: a, callees: [b] }),
    );
    const [, c1] = await measure("acceptCall (1:1, webhooks on)", () =>
      runCommand(on, s.call_id, b, (d) => accept(d, b, {})),
    );
    const [r, c2] = await measure("endCall (1:1, webhooks on)", () =>
      runCommand(on, s.call_id, a, (d) => end(d, a)),
    );
    expectState("end (webhooks on)", r.state, "ended");
    lifecycles.push({
      name: "1:1 invite → accept → end, webhooks on",
      cost: sum([c0, c1, c2]),
      commands: 3,
    });
  }

  // invite → decline.
  {
    const [a, b] = [uid(), uid()];
    const [s, c0] = await measure("startCall (1:1)", () => start(a, [b]));
    const [r, c1] = await measure("declineCall (1:1)", () =>
      command(s.call_id, b, (d) => decline(d, b, { type: 1 })),
    );
    expectState("decline", r.state, "ended");
    lifecycles.push({ name: "1:1 invite → decline", cost: sum([c0, c1]), commands: 2 });
  }

  // invite → cancel.
  {
    const [a, b] = [uid(), uid()];
    const [s, c0] = await measure("startCall (1:1)", () => start(a, [b]));
    const [r, c1] = await measure("cancelCall (1:1)", () =>
      command(s.call_id, a, (d) => cancel(d, a, {})),
    );
    expectState("cancel", r.state, "ended");
    lifecycles.push({ name: "1:1 invite → cancel", cost: sum([c0, c1]), commands: 2 });
  }

  // invite → timeout, found by the sweep (nothing else is due on this project).
  {
    const [a, b] = [uid(), uid()];
    const [s, c0] = await measure("startCall (1:1)", () => start(a, [b], 1));
    await new Promise((r) =>
      setTimeout(r, Math.max(0, Date.parse(s.deadline_at) - Date.now() + 20)),
    );
    const [swept, c1] = await measure("sweep: one invitation timed out", () => sweepDue(ctx));
    if (swept.changed !== 1)
      throw new Error(`cost bench: the sweep changed ${swept.changed} calls`);
    lifecycles.push({
      name: "1:1 invite → timeout (by the sweep)",
      cost: sum([c0, c1]),
      commands: 2,
    });
    await measure("sweep: nothing due", () => sweepDue(ctx));
  }

  // A busy callee: declined busy in the same transaction as the start.
  {
    const [a, b, c] = [uid(), uid(), uid()];
    await start(a, [b]);
    const [r] = await measure("startCall (1:1, callee busy)", () => start(c, [b]));
    if (!r.call_id) throw new Error("cost bench: busy start returned no call");
  }

  // 1-to-9: invite nine → all nine accept → the caller ends it.
  {
    const a = uid();
    const callees = Array.from({ length: 9 }, uid);
    const steps: Cost[] = [];
    const [s, c0] = await measure("startCall (1:9)", () => start(a, callees));
    steps.push(c0);
    for (const [i, b] of callees.entries()) {
      const name = i === 0 ? "acceptCall (1:9, first)" : "acceptCall (1:9, later)";
      const [, c] = await measure(name, () => command(s.call_id, b, (d) => accept(d, b, {})));
      steps.push(c);
    }
    const [r, c1] = await measure("endCall (1:9, 10 in the call)", () =>
      command(s.call_id, a, (d) => end(d, a)),
    );
    expectState("group end", r.state, "ended");
    steps.push(c1);
    lifecycles.push({
      name: "1:9 invite → 9 accept → end",
      cost: sum(steps),
      commands: steps.length,
    });
  }

  // Advanced mode: invite during the call, a device switch, quits.
  {
    const [a, b, c] = [uid(), uid(), uid()];
    const steps: Cost[] = [];
    const [s, c0] = await measure("startCall (1:1, advanced)", () => start(a, [b], 60, "advanced"));
    steps.push(c0);
    steps.push(
      (await measure("acceptCall (1:1)", () => command(s.call_id, b, (d) => accept(d, b, {}))))[1],
    );
    const [inv, c1] = await measure("inviteToCall (one more)", async () =>
      runInvite(ctx, s.call_id, b, {
        callees: [{ id: c, name: "c" }],
        loggedOut: await loggedOut(ctx, [c]),
      }),
    );
    if (inv.invited.length !== 1) throw new Error("cost bench: the invite rang nobody");
    steps.push(c1);
    steps.push(
      (
        await measure("acceptCall (3rd user)", () => command(s.call_id, c, (d) => accept(d, c, {})))
      )[1],
    );
    steps.push(
      (
        await measure("joinCall (device switch)", () =>
          runJoin(ctx, s.call_id, b, { device_id: "laptop" }),
        )
      )[1],
    );
    for (const who of [a, b]) {
      steps.push(
        (
          await measure("quitCall (others stay)", () =>
            command(s.call_id, who, (d) => quit(d, who, {})),
          )
        )[1],
      );
    }
    const [r, c2] = await measure("quitCall (the last: all_quit)", () =>
      command(s.call_id, c, (d) => quit(d, c, {})),
    );
    expectState("last quit", r.state, "ended");
    steps.push(c2);
    lifecycles.push({
      name: "advanced 1:1 → accept → invite 1 → accept → device switch → 3 quit",
      cost: sum(steps),
      commands: steps.length,
    });
    await measure("listCalls (a user in one call)", () => listCalls(ctx, a, 20));
  }

  const hb = commands.get("heartbeat");
  if (!hb) throw new Error("cost bench: no heartbeat measured");
  return {
    commands: [...commands].map(([name, c]) => ({ name, cost: c })),
    lifecycles,
    heartbeat: hb,
    push: await pushPerCall(ctx, meter),
  };
}

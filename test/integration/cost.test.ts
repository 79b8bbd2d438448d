/**
 * What each command costs in Firestore documents, counted by the adapters' Meter on a project
 * of its own: the figures BENCHMARKS.md reports, held here so a change that adds a read or a
 * write to a hot path fails. The user docs a call already holds busy are never read.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../functions/src/adapters/calls/runCommand.js";
import type { Ctx } from "../../functions/src/adapters/context.js";
import { accept, decline, end, heartbeat } from "../../functions/src/core/commands.js";
import { startDirect } from "../../bench/lib/inProcess.js";
import { instrumented, Meter, type MeterSnapshot } from "../../bench/lib/meteredFirestore.js";
import { directProject } from "../support/directProject.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";

const PROJECT = "demo-ringback-cost";
const meter = new Meter();
let ctx: Ctx;
let n = 0;

beforeAll(async () => {
  ctx = await directProject(PROJECT, (db) => instrumented(db, { meter }));
});

async function counted<T>(fn: () => Promise<T>): Promise<[T, MeterSnapshot]> {
  const before = meter.snapshot();
  const value = await fn();
  return [value, meter.since(before)];
}

function start(caller: string, callees: string[]) {
  return startDirect(ctx, { caller, callees, request_hash: `h${n++}` });
}

const cost = (
  reads: number,
  calls: number,
  users: number,
  notifications: number,
  webhooks = 0,
) => ({
  reads,
  writes: { calls, users, notifications, webhooks, push: 0 },
  transactions: 1,
});

describe("cost of each command in documents", () => {
  // Every call is two documents: the shared call and its private part (devices, the start's
  // request hash), read together; the private part is written only when it changes.
  it("a one-to-one lifecycle: start 3 reads; accept, heartbeat and end 2 reads each", async () => {
    const [a, b] = [`a${n++}`, `b${n++}`];
    const [s, startCost] = await counted(() => start(a, [b]));
    // reads both user docs and whether the callee blocked the caller (one block doc a callee,
    // same round trip); writes the call and its private part, 2 user docs, the invitation
    // and the notify_user_state_changed to both
    expect(startCost).toEqual(cost(3, 2, 2, 3));
    const [, acceptCost] = await counted(() =>
      runCommand(ctx, s.call_id, b, (d) => accept(d, b, {})),
    );
    expect(acceptCost).toEqual(cost(2, 1, 2, 3)); // accept to a, state change to a and b
    const [, beatCost] = await counted(() => runCommand(ctx, s.call_id, a, (d) => heartbeat(d, a)));
    expect(beatCost).toEqual(cost(2, 1, 0, 0)); // the call read, one write, nobody told
    const [r, endCost] = await counted(() => runCommand(ctx, s.call_id, a, (d) => end(d, a)));
    expect(r.state).toBe("ended");
    expect(endCost).toEqual(cost(2, 1, 2, 1));
    const users = await ctx.db.getAll(ctx.db.doc(`users/${a}`), ctx.db.doc(`users/${b}`));
    expect(users.map((u) => u.get("status"))).toEqual(["idle", "idle"]);
  });

  it("a start with the call_id given reads it in the same round trip as the users", async () => {
    const [a, b] = [`a${n++}`, `b${n++}`];
    const [, c] = await counted(() =>
      startDirect(ctx, { call_id: `given-${n++}`, request_hash: "given", caller: a, callees: [b] }),
    );
    expect(c).toEqual(cost(5, 2, 2, 3));
  });

  it("a busy callee costs two more reads: the call that keeps them busy", async () => {
    const [a, b, c] = [`a${n++}`, `b${n++}`, `c${n++}`];
    await start(a, [b]);
    const [, busyCost] = await counted(() => start(c, [b]));
    expect(busyCost).toEqual(cost(5, 2, 0, 2)); // b is declined busy at once: c is told (2)
    const [s] = await counted(() => start(`x${n++}`, [`y${n++}`]));
    const y = Object.keys((await ctx.db.doc(`calls/${s.call_id}`).get()).get("users")).find((u) =>
      u.startsWith("y"),
    ) as string;
    const [, declineCost] = await counted(() =>
      runCommand(ctx, s.call_id, y, (d) => decline(d, y, { type: 1 })),
    );
    expect(declineCost).toEqual(cost(2, 1, 2, 2));
  });
});

describe("with webhooks on, the outbox adds one write per callback event and no read (same reads as above)", () => {
  it("1:1: start +1 (call_create), accept +1, heartbeat 0, end +1; decline +2", async () => {
    const on: Ctx = { ...ctx, outbox: true };
    const [a, b] = [`a${n++}`, `b${n++}`];
    const [s, startCost] = await counted(() =>
      startDirect(on, { caller: a, callees: [b], request_hash: `h${n++}` }),
    );
    expect(startCost).toEqual(cost(3, 2, 2, 3, 1));
    const [, acceptCost] = await counted(() =>
      runCommand(on, s.call_id, b, (d) => accept(d, b, {})),
    );
    expect(acceptCost).toEqual(cost(2, 1, 2, 3, 1));
    const [, beatCost] = await counted(() => runCommand(on, s.call_id, a, (d) => heartbeat(d, a)));
    expect(beatCost).toEqual(cost(2, 1, 0, 0, 0));
    const [, endCost] = await counted(() => runCommand(on, s.call_id, a, (d) => end(d, a)));
    expect(endCost).toEqual(cost(2, 1, 2, 1, 1));
    const [x, y] = [`x${n++}`, `y${n++}`];
    const d1 = await startDirect(on, { caller: x, callees: [y], request_hash: `h${n++}` });
    const [, declineCost] = await counted(() =>
      runCommand(on, d1.call_id, y, (d) => decline(d, y, { type: 1 })),
    );
    expect(declineCost).toEqual(cost(2, 1, 2, 2, 2)); // call_reject and call_end
    const box = await ctx.db
      .collection(PRIVATE_COLLECTIONS.webhookEvents)
      .where("call_id", "==", s.call_id)
      .get();
    expect(box.docs.map((e) => e.get("event")).sort()).toEqual([
      "call_accept",
      "call_create",
      "call_end",
    ]);
  });
});

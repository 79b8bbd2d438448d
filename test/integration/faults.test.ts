/**
 * Faults: a command that fails midway, with every write already staged in its transaction,
 * leaves no trace; the same command then succeeds. Run through the adapters in process (the
 * callables add nothing inside the transaction) on a project of its own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runCommand, settleCall } from "../../functions/src/adapters/calls/runCommand.js";
import type { Ctx } from "../../functions/src/adapters/context.js";
import { accept } from "../../functions/src/core/commands.js";
import { startDirect } from "../../bench/lib/inProcess.js";
import { instrumented } from "../../bench/lib/meteredFirestore.js";
import { directProject } from "../support/directProject.js";

const PROJECT = "demo-ringback-faults";
let ctx: Ctx;

beforeAll(async () => {
  ctx = await directProject(PROJECT);
});

/** Every document of the project, as text: the whole trace a command could leave. */
async function everything(): Promise<string> {
  const calls = await ctx.db.collection("calls").get();
  const users = await ctx.db.collection("users").get();
  const notes = await ctx.db.collectionGroup("notifications").get();
  return JSON.stringify(
    [calls, users, notes].map((q) => q.docs.map((d) => [d.ref.path, d.data()])),
  );
}

/** The same project, with a fault after each transaction has staged its writes. */
const faulty = (): Ctx => ({
  ...ctx,
  db: instrumented(ctx.db, {
    fault: () => {
      throw new Error("injected fault");
    },
  }),
});

const start = (c: Ctx, caller: string, callee: string, timeout = 60) =>
  startDirect(c, {
    call_id: `${caller}-${callee}`,
    request_hash: "h",
    caller,
    callees: [callee],
    timeout,
  });

describe("a command that fails midway leaves no trace", () => {
  it("startCall", async () => {
    const before = await everything();
    await expect(start(faulty(), "a1", "b1")).rejects.toThrow("injected fault");
    expect(await everything()).toBe(before);
    await expect(start(ctx, "a1", "b1")).resolves.toMatchObject({ call_id: "a1-b1" });
  });

  it("acceptCall", async () => {
    const { call_id } = await start(ctx, "a2", "b2");
    const before = await everything();
    await expect(runCommand(faulty(), call_id, "b2", (d) => accept(d, "b2", {}))).rejects.toThrow(
      "injected fault",
    );
    expect(await everything()).toBe(before);
    await expect(runCommand(ctx, call_id, "b2", (d) => accept(d, "b2", {}))).resolves.toMatchObject(
      { state: "ongoing" },
    );
  });

  it("a deadline (task or sweep) applied midway", async () => {
    const { call_id } = await start(ctx, "a3", "b3", 1);
    await new Promise((r) => setTimeout(r, 1100));
    const before = await everything();
    await expect(settleCall(faulty(), call_id)).rejects.toThrow("injected fault");
    expect(await everything()).toBe(before);
    expect(await settleCall(ctx, call_id)).toBe(true);
    expect((await ctx.db.doc(`calls/${call_id}`).get()).get("end_reason")).toBe("no_answer");
  });
});

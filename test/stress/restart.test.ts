/**
 * Fault: the Firestore emulator restarts in the middle of a run (on SIGUSR2 the local runner
 * cuts every connection, exports the data and starts the emulator again from it), while
 * commands are in flight. No command that was answered with success is lost, not one, the
 * invariants hold, and commands work again.
 */
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { adminDb, clearDatabase } from "../support/admin.js";
import { users, type Started } from "../support/calls.js";
import { closeAll, type TestUser } from "../support/clients.js";
import { checkInvariants } from "../support/invariants.js";

afterAll(closeAll);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const restarts = () => {
  try {
    return Number(
      fs.readFileSync(
        `${process.env.RINGBACK_RUNTIME_DIR ?? ".runtime"}/firestore-restarts`,
        "utf8",
      ),
    );
  } catch {
    return 0;
  }
};

/** Errors a command may meet while the database restarts: it was not committed. */
const OUTAGE = new Set(["functions/unavailable", "functions/deadline-exceeded"]);

describe("an emulator restart in the middle of a run", () => {
  it("loses no committed call", async () => {
    const pid = Number(process.env.RINGBACK_STACK_PID);
    expect(pid, "RINGBACK_STACK_PID: run through `npm test`").toBeGreaterThan(0);
    expect(process.env.RINGBACK_FIRESTORE_RESTARTS, "the runner's restart gate is on").toBe("1");
    await clearDatabase(); // the invariants are checked over the whole database below
    const people = await users("a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4");
    const pairs: [TestUser, TestUser][] = [0, 2, 4, 6, 8].map((i) => [people[i]!, people[i + 1]!]);
    const committed = new Map<string, string>(); // call id -> the state its last success left
    const failures: string[] = [];
    const outages: Record<string, number> = {}; // refusals and outage errors met, by code
    const before = restarts();
    let stop = false;
    let restarted = false;
    let resumed = 0; // commands sent after the restart that succeeded
    /** A command; counted in `resumed` when it was sent after the restart. */
    const send = async <T>(user: TestUser, name: string, body: unknown): Promise<T> => {
      const after = restarted;
      const r = await user.call<T>(name, body);
      if (after) resumed += 1;
      return r;
    };

    // Each pair runs start → accept → end in a loop through the restart.
    const loops = pairs.map(async ([a, b]) => {
      while (!stop) {
        try {
          const s = await send<Started>(a, "startCall", { callees: [{ id: b.uid }], type: 1 });
          committed.set(s.call_id, "ringing");
          await send(b, "acceptCall", { call_id: s.call_id });
          committed.set(s.call_id, "ongoing");
          await send(a, "endCall", { call_id: s.call_id });
          committed.set(s.call_id, "ended");
        } catch (e) {
          const code = (e as { code?: string }).code ?? String(e);
          outages[code] = (outages[code] ?? 0) + 1;
          if (!OUTAGE.has(code) && code !== "functions/failed-precondition") failures.push(code);
          await sleep(200);
          // Free the pair for the next round, whatever is left of its call.
          const callId = a.state()?.call_id ?? b.state()?.call_id;
          if (callId) await a.call("endCall", { call_id: callId }).catch(() => undefined);
        }
      }
    });

    // Let every pair commit a few calls (their workers start first), then restart.
    for (let i = 0; i < 200 && committed.size < 8; i++) await sleep(100);
    const beforeRestart = committed.size;
    process.kill(pid, "SIGUSR2");
    for (let i = 0; i < 600 && restarts() === before; i++) await sleep(100);
    expect(restarts()).toBe(before + 1);
    restarted = true;
    // Commands resume after the restart: wait until every pair has had one go through (the
    // first ones after it are slow while the clients reconnect), at most 60 s.
    for (let i = 0; i < 600 && resumed < pairs.length; i++) await sleep(100);
    stop = true;
    await Promise.all(loops);

    console.log(
      `restart: ${committed.size} calls acknowledged (${beforeRestart} before it), ${resumed} commands sent after it succeeded, errors met: ${JSON.stringify(outages)}`,
    );
    expect(failures).toEqual([]);
    expect(beforeRestart).toBeGreaterThan(0);
    expect(resumed).toBeGreaterThanOrEqual(pairs.length); // and commands worked again
    const order = ["ringing", "ongoing", "ended"];
    for (const [callId, state] of committed) {
      const snap = await adminDb().collection("calls").doc(callId).get();
      expect(snap.exists, `committed call ${callId} is there`).toBe(true);
      expect(order.indexOf(snap.get("state"))).toBeGreaterThanOrEqual(order.indexOf(state));
    }
    const { violations } = await checkInvariants(adminDb());
    expect(violations).toEqual([]);
  }, 180_000);
});

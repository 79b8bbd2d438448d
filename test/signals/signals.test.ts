/**
 * Stopping a stack: SIGINT or SIGTERM, sent to npm (`npm start`), to the runner
 * (`node scripts/stack.mjs`) or to the whole process group (a terminal's Ctrl-C), stops every
 * process the stack started (firebase-tools and its function workers, the Firestore JAR) and
 * frees every port. Each case starts a whole stack of its own, beside the stack the other
 * tests use: three cases at a time, each in a slot of its own: ports moved by
 * RINGBACK_SIGNALS_PORT_OFFSET (default 7000) plus 0, 1000 or 2000 (a stack's own ports lie
 * 100 apart: slots 100 apart would share some), and a demo project of its own, since two
 * firebase-tools hubs of one project id share a locator file.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import getPort from "get-port";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BASE = Number(process.env.RINGBACK_SIGNALS_PORT_OFFSET ?? 7000);

/** The slots stacks run in, three at a time; a case waits for a free one. */
const free = [0, 1, 2];
const waiting: ((slot: number) => void)[] = [];
async function takeSlot(): Promise<number> {
  const slot = free.shift();
  return slot ?? new Promise((resolve) => waiting.push(resolve));
}
function giveSlot(slot: number): void {
  const next = waiting.shift();
  if (next) next(slot);
  else free.push(slot);
}

/** Every port a stack in `slot` listens on: firebase.json's, ours (scheduled tasks, demo), moved. */
function stackPorts(slot: number): number[] {
  const offset = BASE + slot * 1000;
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, "firebase.json"), "utf8")) as {
    emulators: Record<string, { port?: number }>;
  };
  const ports = Object.values(config.emulators)
    .map((e) => e.port)
    .filter((p): p is number => typeof p === "number");
  // Ours: the control API, the policy hook, the push recorder, scheduled tasks, the demo.
  return [...ports, 9493, 9494, 9495, 9498, 5173].map((p) => p + offset);
}

/** Ports fetch() refuses (the Fetch standard's "bad ports", from 1024 up): never a stack's. */
const FETCH_BLOCKED = [
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669,
  6679, 6697, 10080,
];

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  args: string;
}

function processTable(): Proc[] {
  const out = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,stat=,args="], {
    encoding: "utf8",
  });
  return out
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, , , stat]) => !stat?.startsWith("Z"))
    .map(([pid, ppid, pgid, , ...args]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      args: args.join(" "),
    }));
}

/** The processes of `root`'s tree: its group and every descendant (some lead groups of their own). */
function treeOf(root: number, table = processTable()): Proc[] {
  const pids = new Set([root]);
  for (const p of table) if (p.pgid === root) pids.add(p.pid);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (!pids.has(p.pid) && pids.has(p.ppid)) {
        pids.add(p.pid);
        grew = true;
      }
    }
  }
  return table.filter((p) => pids.has(p.pid));
}

/** Whether nothing listens on `port` (get-port hands back the port asked for only then). */
const portFree = async (port: number): Promise<boolean> =>
  (await getPort({ port, host: "127.0.0.1" })) === port;

interface Stack {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

/** Starts `npm start` or the runner in a process group of its own; resolves once it is ready. */
async function startStack(how: "npm" | "runner", slot: number): Promise<Stack> {
  const [file, args] =
    how === "npm" ? ["npm", ["start"]] : [process.execPath, ["scripts/stack.mjs"]];
  const child = spawn(file, args, {
    cwd: ROOT,
    detached: true, // the leader of its own process group, as a terminal's job is
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      RINGBACK_PORT_OFFSET: String(BASE + slot * 1000),
      GCLOUD_PROJECT: `demo-signals-${slot}`,
      RINGBACK_SWEEP_INTERVAL_MS: "500",
      RINGBACK_WARM_FUNCTIONS: "0", // these stacks only start and stop: no function runs
    },
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += String(d)));
  child.stderr?.on("data", (d) => (output += String(d)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 240_000;
  while (!output.includes("Ringback ready")) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // already gone: its output says why
      }
      throw new Error(`the stack did not come up:\n${output}`);
    }
    await sleep(200);
  }
  return { child, output: () => output, exited };
}

const targets = ["npm", "runner", "group"] as const;
const signals = ["SIGINT", "SIGTERM"] as const;
/**
 * `npm test` stops one stack per slot: Ctrl-C (SIGINT to the group), `kill` of npm (SIGTERM)
 * and SIGINT to the runner itself; `npm run test:full` (RINGBACK_TEST_FULL=1) every pair.
 */
const CASES: [(typeof targets)[number], (typeof signals)[number]][] =
  process.env.RINGBACK_TEST_FULL === "1"
    ? targets.flatMap((t) => signals.map((s): [typeof t, typeof s] => [t, s]))
    : [
        ["group", "SIGINT"],
        ["npm", "SIGTERM"],
        ["runner", "SIGINT"],
      ];

describe("stopping a stack", () => {
  it("uses no port that fetch() refuses", () => {
    for (const slot of [0, 1, 2]) {
      expect(stackPorts(slot).filter((p) => FETCH_BLOCKED.includes(p))).toEqual([]);
    }
  });
});

// Three at a time (the slots); a stack's boot is mostly waiting, so three overlap well on 2 cores.
describe.concurrent("stopping a stack, three at a time", () => {
  for (const [target, signal] of CASES) {
    it(`${signal} to ${target === "group" ? "the process group" : target} stops every process and frees every port`, async () => {
      const slot = await takeSlot();
      try {
        await stopsCleanly(target, signal, slot);
      } finally {
        giveSlot(slot);
      }
    });
  }
});

async function stopsCleanly(
  target: (typeof targets)[number],
  signal: (typeof signals)[number],
  slot: number,
): Promise<void> {
  const stack = await startStack(target === "runner" ? "runner" : "npm", slot);
  const leader = stack.child.pid as number;
  const started = treeOf(leader);
  // What must be gone after: the runner, firebase-tools (and its function workers), the JAR.
  expect(started.some((p) => p.args.includes("scripts/stack.mjs"))).toBe(true);
  expect(
    started.some((p) => p.args.includes("firebase-tools") || p.args.includes("/firebase ")),
  ).toBe(true);
  expect(started.some((p) => p.args.startsWith("java"))).toBe(true);
  for (const port of stackPorts(slot))
    expect(await portFree(port), `port ${port} in use`).toBe(false);

  process.kill(target === "group" ? -leader : leader, signal);
  const exited = await Promise.race([stack.exited.then(() => true), sleep(60_000, false)]);
  if (!exited) process.kill(-leader, "SIGKILL");
  expect(exited, `still running 60 s after ${signal}:\n${stack.output()}`).toBe(true);
  expect(stack.output()).toContain(`Ringback stopped (${signal})`);

  const table = processTable();
  const left = started.filter((p) => table.some((q) => q.pid === p.pid && q.args === p.args));
  expect(left, "processes left running").toEqual([]);
  const busy: number[] = [];
  for (const port of stackPorts(slot)) if (!(await portFree(port))) busy.push(port);
  expect(busy, "ports still in use").toEqual([]);
}

/**
 * The local Cloud Tasks stand-in (scripts/standins/scheduledTasks.mjs) bounds each queue's
 * dispatches in flight, as a real queue's maxConcurrentDispatches does: a burst of due tasks
 * waits its turn instead of making the functions emulator start a worker process for each.
 * Here the "functions" are a plain HTTP server that counts the requests it holds at once.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain JS module of the local stack, without types
import { maxConcurrent, startScheduledTasks } from "../../scripts/standins/scheduledTasks.mjs";

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

/** A function endpoint that holds each request `ms`, recording the most held at once. */
async function slowFunction(ms: number) {
  const seen = { now: 0, max: 0, done: [] as string[] };
  const port = await listen(
    http.createServer((req, res) => {
      seen.now++;
      seen.max = Math.max(seen.max, seen.now);
      setTimeout(() => {
        seen.now--;
        seen.done.push(String(req.headers["x-cloudtasks-taskname"]));
        res.end("{}");
      }, ms);
    }),
  );
  return { seen, host: `127.0.0.1:${port}` };
}

async function stand(functions: string, limit?: string) {
  const before = process.env.RINGBACK_TASKS_MAX_CONCURRENT;
  if (limit === undefined) delete process.env.RINGBACK_TASKS_MAX_CONCURRENT;
  else process.env.RINGBACK_TASKS_MAX_CONCURRENT = limit;
  const probe = http.createServer();
  const port = await listen(probe); // a free port, then handed over
  await new Promise((r) => probe.close(r));
  const tasks = await startScheduledTasks({
    host: "127.0.0.1",
    port,
    functions,
    project: "demo-x",
    region: "us-central1",
    log: () => undefined,
    retryConfigs: {},
  });
  if (before === undefined) delete process.env.RINGBACK_TASKS_MAX_CONCURRENT;
  else process.env.RINGBACK_TASKS_MAX_CONCURRENT = before;
  closers.push(tasks.close);
  const base = `http://127.0.0.1:${port}/v2/projects/demo-x/locations/us-central1/queues`;
  return {
    enqueue: async (queue: string, id: string) => {
      const body = Buffer.from(JSON.stringify({ id })).toString("base64");
      const task = { name: `x/${id}`, httpRequest: { body } };
      const res = await fetch(`${base}/${queue}/tasks`, {
        method: "POST",
        body: JSON.stringify({ task }),
      });
      expect(res.status).toBe(200);
    },
    remove: (queue: string, id: string) =>
      fetch(`${base}/${queue}/tasks/${id}`, { method: "DELETE" }),
  };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
};

describe("the scheduled-tasks stand-in", () => {
  it("dispatches at most 4 tasks of a queue at once by default, the rest in their turn", async () => {
    const fn = await slowFunction(150);
    const q = await stand(fn.host);
    for (let i = 0; i < 10; i++) await q.enqueue("deadlineTask", `t${i}`);
    await until(() => fn.seen.done.length === 10);
    expect(fn.seen.max).toBe(4);
    expect([...fn.seen.done].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`).sort());
  });

  it("bounds each queue apart, by RINGBACK_TASKS_MAX_CONCURRENT; a waiting task can be deleted", async () => {
    const fn = await slowFunction(200);
    const q = await stand(fn.host, "1");
    for (let i = 0; i < 3; i++) await q.enqueue("pushTask", `p${i}`);
    await q.enqueue("webhookTask", "w0");
    expect((await q.remove("pushTask", "p2")).status).toBe(200); // still waiting its turn
    await until(() => fn.seen.done.length === 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(fn.seen.done.sort()).toEqual(["p0", "p1", "w0"]);
    expect(fn.seen.max).toBe(2); // one per queue
  });

  it("refuses a limit that is not a whole number of at least 1", () => {
    expect(maxConcurrent(undefined)).toBe(4);
    expect(maxConcurrent("2")).toBe(2);
    for (const bad of ["0", "-1", "1.5", "many"])
      expect(() => maxConcurrent(bad)).toThrow(/MAX_CONCURRENT/);
  });
});

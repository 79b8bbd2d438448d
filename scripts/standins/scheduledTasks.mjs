// Scheduled delivery of Cloud Tasks for the local stack. The firebase-tools tasks emulator
// ignores a task's scheduleTime (it dispatches at once) and polls once a second, so exact
// deadlines cannot be run through it. This stands in for Cloud Tasks the way the sweep
// ticker stands in for Cloud Scheduler: it accepts the enqueue requests firebase-admin
// sends (the functions point CLOUD_TASKS_EMULATOR_HOST here in the emulator only), holds each
// task until its scheduleTime, and dispatches it to the function as the tasks emulator does
// (same URL, headers and JSON body), retrying a failed attempt as the queue's own retry
// config says (maxAttempts, min/max backoff, maxDoublings, read from the built functions).
// Task names are unique for an hour, as in Cloud Tasks (409 ALREADY_EXISTS).
// Fault injection for the tests, through the stack's control API (control.mjs):
// `POST /tasks/refuse {"queue": name, "count": n}` makes the next n enqueues of that queue
// fail (HTTP 500, which firebase-admin does not retry itself);
// `POST /tasks/unavailable {"prefix": "<task id prefix>", "count": n}` makes the next n
// enqueues of tasks whose id starts with the prefix fail with 503 UNAVAILABLE, as Cloud Tasks
// does when it is down; `DELETE /tasks/unavailable` clears those. `GET /tasks/busy` answers
// how many tasks are being dispatched and how many wait to be retried. `GET /tasks/dispatched?prefix=`
// answers, for each task whose id starts with the prefix and that a function took (2xx), the
// queue it ran on (the deadline tasks' sharded queues are checked by it). `DELETE /tasks/pending` drops every task not yet
// dispatched (scheduled or waiting for a retry; one being dispatched is not retried): the
// stress tests drop them and wait for none in flight before clearing the database between
// scenarios, so that no task of one scenario commits into the next one's cleared database.
// A test clock for retries: RINGBACK_TASKS_RETRY_SCALE="webhookTask:0.1" waits a tenth of each
// backoff the queue's config gives (the config itself is unchanged and still read from the
// built functions), so the webhook delivery tests see the 2, 4, 8, 16, 32 s spacing at a
// tenth of the time. Unset (npm start, the bench): real time.
// At most RINGBACK_TASKS_MAX_CONCURRENT (default 4) dispatches of one queue are in flight, as
// a Cloud Tasks queue's maxConcurrentDispatches bounds them; the others wait their turn in
// order. The functions emulator starts a new worker process (seconds of CPU on a small
// machine) for every request that finds no idle one, so an unbounded burst of due tasks
// made dozens of them, which then slowed everything into more.
import http from "node:http";
import { backoffMs, maxAttempts } from "../stack/functionsManifest.mjs";

/**
 * @param {{ host: string, port: number, functions: string, project: string,
 *           region: string, log: (m: string) => void,
 *           retryConfigs: Record<string, object> }} o
 * @returns {Promise<{ close: () => void, pending: () => number,
 *   routes: Record<string, import("./control.mjs").Route> }>}
 */
export function startScheduledTasks({ host, port, functions, project, region, log, retryConfigs }) {
  const timers = new Map(); // task id (the last part of its name) -> timeout
  const seen = new Map(); // task id -> when first seen
  const done = new Map(); // task id -> the queue whose function took it (forgotten with `seen`)
  const errors = new Set();
  const failEnqueues = new Map(); // queue -> enqueues still to refuse (fault tests)
  const faults = new Map(); // task id prefix -> enqueues still to fail
  let closed = false;
  let inflight = 0; // dispatches waiting for the function's answer
  const retrying = new Set(); // task ids waiting for their next attempt
  let epoch = 0; // moves on at each DELETE /tasks/pending: a dispatch from before it is not retried
  const idOf = (name) => String(name).split("/").pop();
  const scale = retryScales(process.env.RINGBACK_TASKS_RETRY_SCALE);
  const limit = maxConcurrent(process.env.RINGBACK_TASKS_MAX_CONCURRENT);
  const running = new Map(); // queue -> dispatches in flight
  const waiting = new Map(); // queue -> [{id, body, attempt}] due, waiting for a free slot
  const waitingIds = new Set();

  /** A due task: dispatched now when its queue has a free slot, else when one frees. */
  const due = (queue, id, body, attempt) => {
    timers.delete(id);
    retrying.delete(id);
    if (closed) return;
    if ((running.get(queue) ?? 0) >= limit) {
      if (!waiting.has(queue)) waiting.set(queue, []);
      waiting.get(queue).push({ id, body, attempt });
      waitingIds.add(id);
      return;
    }
    running.set(queue, (running.get(queue) ?? 0) + 1);
    dispatch(queue, id, body, attempt).finally(() => {
      running.set(queue, running.get(queue) - 1);
      const next = waiting.get(queue)?.shift();
      if (next) {
        waitingIds.delete(next.id);
        due(queue, next.id, next.body, next.attempt);
      }
    });
  };

  const dispatch = async (queue, id, body, attempt) => {
    const started = epoch;
    let ok = false;
    let why = "";
    inflight++;
    try {
      const res = await fetch(`http://${functions}/${project}/${region}/${queue}`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-CloudTasks-QueueName": `queue:${project}-${region}-${queue}`,
          "X-CloudTasks-TaskName": id,
          "X-CloudTasks-TaskRetryCount": String(attempt),
          "X-CloudTasks-TaskExecutionCount": String(attempt),
          "X-CloudTasks-TaskETA": String(Date.now()),
        },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      ok = res.ok;
      why = `HTTP ${res.status}`;
    } catch (err) {
      why = err.cause?.code ?? err.message;
    } finally {
      inflight--;
    }
    if (ok) done.set(id, queue);
    if (ok || closed || epoch !== started) return;
    const config = retryConfigs[queue] ?? {};
    if (attempt + 1 >= maxAttempts(config)) {
      log(`task ${id} failed ${attempt + 1} times (${why}): given up`);
      return;
    }
    if (!errors.has(why)) log(`task ${id} failed (${why}); retrying (shown once per error)`);
    errors.add(why);
    retrying.add(id);
    timers.set(
      id,
      setTimeout(
        () => due(queue, id, body, attempt + 1),
        // A sharded task's queues (webhookTask1, …) take the scale given for its first one.
        backoffMs(config, attempt + 1) *
          (scale.get(queue) ?? scale.get(queue.replace(/\d+$/, "")) ?? 1),
      ),
    );
  };

  const routes = {
    "POST /tasks/refuse": ({ body }) => {
      failEnqueues.set(String(body?.queue), Number(body?.count) || 0);
      return [200, { refuse: Object.fromEntries(failEnqueues) }];
    },
    "POST /tasks/unavailable": ({ body }) => {
      faults.set(String(body?.prefix), Number(body?.count) || 0);
      return [200, { unavailable: Object.fromEntries(faults) }];
    },
    "DELETE /tasks/unavailable": () => {
      faults.clear();
      return [200, { unavailable: {} }];
    },
    "GET /tasks/busy": () => [
      200,
      { inflight: inflight + waitingIds.size, retrying: retrying.size },
    ],
    "GET /tasks/dispatched": ({ url }) => {
      const prefix = url.searchParams.get("prefix") ?? "";
      const tasks = Object.fromEntries([...done].filter(([id]) => id.startsWith(prefix)));
      return [200, { tasks }];
    },
    "DELETE /tasks/pending": () => {
      epoch++;
      const dropped = timers.size + waitingIds.size;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      retrying.clear();
      waiting.clear();
      waitingIds.clear();
      return [200, { dropped, inflight }];
    },
  };

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const reply = (status, json) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const m = /\/queues\/([^/]+)\/tasks(?:\/([^/?]+))?$/.exec(req.url ?? "");
      if (!m) return reply(404, { error: { status: "NOT_FOUND", message: "not a task queue" } });
      const [, queue, taskId] = m;
      if (req.method === "DELETE" && taskId && waitingIds.has(taskId)) {
        waitingIds.delete(taskId);
        const rest = (waiting.get(queue) ?? []).filter((t) => t.id !== taskId);
        waiting.set(queue, rest);
        return reply(200, {});
      }
      if (req.method === "DELETE" && taskId) {
        if (!timers.has(taskId)) return reply(404, { error: { status: "NOT_FOUND" } });
        clearTimeout(timers.get(taskId));
        timers.delete(taskId);
        retrying.delete(taskId);
        return reply(200, {});
      }
      if (req.method !== "POST" || taskId) {
        return reply(405, { error: { status: "INVALID_ARGUMENT", message: "POST a task" } });
      }
      if ((failEnqueues.get(queue) ?? 0) > 0) {
        failEnqueues.set(queue, (failEnqueues.get(queue) ?? 0) - 1);
        return reply(500, { error: { status: "INTERNAL", message: "injected fault" } });
      }
      let task;
      try {
        task = JSON.parse(raw).task;
        task.body = JSON.parse(Buffer.from(task.httpRequest.body, "base64").toString("utf8"));
      } catch {
        return reply(400, { error: { status: "INVALID_ARGUMENT", message: "not a task" } });
      }
      const id = task.name ? idOf(task.name) : `${Date.now()}-${seen.size}`;
      for (const [prefix, left] of faults) {
        if (left > 0 && id.startsWith(prefix)) {
          faults.set(prefix, left - 1);
          return reply(503, { error: { status: "UNAVAILABLE", message: "injected fault" } });
        }
      }
      if (seen.has(id)) {
        return reply(409, { error: { status: "ALREADY_EXISTS", message: `task ${id} exists` } });
      }
      seen.set(id, Date.now());
      const at = task.scheduleTime ? Date.parse(task.scheduleTime) : Date.now();
      timers.set(
        id,
        setTimeout(() => due(queue, id, task.body, 0), Math.max(0, at - Date.now())),
      );
      reply(200, {
        name: `projects/${project}/locations/${region}/queues/${queue}/tasks/${id}`,
        scheduleTime: task.scheduleTime,
      });
    });
  });
  const forget = setInterval(() => {
    const cutoff = Date.now() - 3600_000;
    for (const [id, t] of seen) if (t < cutoff) seen.delete(id);
    for (const id of done.keys()) if (!seen.has(id)) done.delete(id);
  }, 60_000);
  forget.unref();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () =>
      resolve({
        close: () => {
          closed = true;
          clearInterval(forget);
          for (const t of timers.values()) clearTimeout(t);
          server.close();
        },
        pending: () => timers.size,
        routes,
      }),
    );
  });
}

/** RINGBACK_TASKS_MAX_CONCURRENT: dispatches in flight per queue, a whole number >= 1. */
export function maxConcurrent(spec) {
  if (spec === undefined || spec === "") return 4;
  const n = Number(spec);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`RINGBACK_TASKS_MAX_CONCURRENT: "${spec}" is not a whole number >= 1`);
  }
  return n;
}

/** "queue:factor,queue:factor" -> Map; a factor must lie in (0, 1]. */
export function retryScales(spec) {
  const scales = new Map();
  for (const part of (spec ?? "").split(",").filter(Boolean)) {
    const [queue, factor] = part.split(":");
    const f = Number(factor);
    if (!queue || !(f > 0 && f <= 1)) {
      throw new Error(
        `RINGBACK_TASKS_RETRY_SCALE: "${part}" is not queue:factor (0 < factor <= 1)`,
      );
    }
    scales.set(queue, f);
  }
  return scales;
}

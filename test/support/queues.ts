/**
 * The sharded queues' tests' view of the scheduled-task stand-in (GET /tasks/dispatched):
 * which queue (task function) ran each task, and call ids chosen so that each queue gets one.
 */
import { expect } from "vitest";
import { control } from "./control.js";

/** One call id a queue: the first candidate `<prefix>-<i>` whose shard picks queue q. */
export function idsPerQueue(
  prefixes: readonly string[],
  fns: readonly string[],
  of: (callId: string, queues: number) => string,
): string[] {
  return prefixes.map((p, q) => {
    for (let i = 0; ; i++) if (of(`${p}-${i}`, prefixes.length) === fns[q]) return `${p}-${i}`;
  });
}

/**
 * The tasks whose id starts with `prefix` and matches `keep`, each with the queue that ran it,
 * once `until` holds for them (a task's answer reaches the stand-in a little after its work is
 * seen, seconds on a loaded machine: asked again for up to 60 s).
 */
export async function dispatched(
  prefix: string,
  keep: (id: string) => boolean,
  until: (tasks: Record<string, string>) => boolean,
): Promise<Record<string, string>> {
  let tasks: Record<string, string> = {};
  for (let i = 0; i < 600; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    const res = await control<{ tasks: Record<string, string> }>(
      "GET",
      `/tasks/dispatched?prefix=${encodeURIComponent(prefix)}`,
    );
    expect(res.status).toBe(200);
    tasks = Object.fromEntries(Object.entries(res.body.tasks).filter(([id]) => keep(id)));
    if (until(tasks)) break;
  }
  return tasks;
}

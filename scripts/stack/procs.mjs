// Process-tree helpers for scripts/stack.mjs.
//
// Emulators are spawned detached (leader of their own process group), so the
// whole group, including firebase-tools' function worker processes, can be
// signalled at once. firebase-tools itself starts some emulators detached in
// *their own* groups (e.g. its Java Firestore emulator), so we also follow the
// parent/child links and signal those descendants individually.
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** Live (non-zombie) processes: Map pid -> { ppid, pgid }. */
function processTable() {
  const out = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,stat="], {
    encoding: "utf8",
  });
  const table = new Map();
  for (const line of out.trim().split("\n")) {
    const [pid, ppid, pgid, stat = ""] = line.trim().split(/\s+/);
    if (!stat.startsWith("Z")) table.set(+pid, { ppid: +ppid, pgid: +pgid });
  }
  return table;
}

/** Pids of the tree rooted at `root`: its process group plus all descendants. */
function treeOf(root, table) {
  const pids = new Set();
  for (const [pid, p] of table) if (pid === root || p.pgid === root) pids.add(pid);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, p] of table) {
      if (pids.has(pid) || !pids.has(p.ppid)) continue;
      pids.add(pid);
      grew = true;
    }
  }
  return pids;
}

function trySignal(pid, signal) {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // already gone (or not a process group)
  }
}

/**
 * Stop the tree rooted at `root`: send `signal` to its process group (or to
 * `root` alone if it leads none) and give it `graceMs` to shut down cleanly.
 * Descendants outside the group are left to their parent at first (signalling
 * firebase-tools' detached Java directly makes it report a "fatal error"), and
 * only signalled once the group is gone. SIGKILL for whatever is left after
 * `graceMs`. Resolves to true once nothing of the tree is left.
 */
export async function stopTree(root, signal = "SIGTERM", graceMs = 5000) {
  let pids = treeOf(root, processTable());
  if (!trySignal(-root, signal)) trySignal(root, signal);
  const deadline = Date.now() + graceMs;
  let orphansSignalled = false;
  let killed = false;
  while (pids.size > 0) {
    await sleep(100);
    const table = processTable();
    // Survivors of earlier snapshots (they may have been re-parented) plus
    // anything that joined the tree since.
    pids = new Set([...pids].filter((pid) => table.has(pid)));
    for (const pid of treeOf(root, table)) pids.add(pid);
    const inGroup = (pid) => pid === root || table.get(pid)?.pgid === root;
    if (!orphansSignalled && ![...pids].some(inGroup)) {
      for (const pid of pids) trySignal(pid, signal);
      orphansSignalled = true;
    }
    if (!killed && Date.now() > deadline) {
      trySignal(-root, "SIGKILL");
      for (const pid of pids) trySignal(pid, "SIGKILL");
      killed = true;
    } else if (killed && Date.now() > deadline + 2000) break; // unkillable: give up
  }
  return pids.size === 0;
}

/** Last resort on process exit (synchronous): SIGKILL the whole tree. */
export function killTreeSync(root) {
  const pids = treeOf(root, processTable());
  trySignal(-root, "SIGKILL");
  for (const pid of pids) trySignal(pid, "SIGKILL");
}

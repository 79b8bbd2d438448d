// How a stack ends, whatever ends it: SIGINT, SIGTERM or SIGHUP (to the runner, to npm, which
// forwards them, or to the whole process group, as a terminal's Ctrl-C does), the parent going
// away, the command finishing, an emulator dying or a crash. Every child tree is stopped; a
// signal is then re-raised, so that npm and shells see the runner die of it (npm stays quiet).
import os from "node:os";
import { killTreeSync, stopTree } from "./procs.mjs";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];
/** A repeat within this long is the same request (npm forwards the Ctrl-C its group got). */
const SAME_REQUEST_MS = 1500;

export const signalExitCode = (signal) => 128 + (os.constants.signals[signal] ?? 0);

/**
 * `stopServices()`: stop what runs in this process (servers, timers). `roots()`: the pids
 * of the child trees to stop. `onStopped(why)`: the last word before exiting.
 * Returns `shutdown(code, why)`.
 */
export function lifecycle({ stopServices, roots, onStopped, log }) {
  let stopping = null; // { at, signal }
  let cleaned = false; // every tree stopped: their pids may belong to others now
  const shutdown = async (code, why, signal) => {
    if (stopping) return;
    stopping = { at: Date.now(), signal };
    await stopServices();
    await Promise.all(roots().map((pid) => stopTree(pid)));
    cleaned = true;
    onStopped(why);
    if (signal) {
      for (const s of SIGNALS) process.removeAllListeners(s);
      process.kill(process.pid, signal); // die of it, as the caller expects
    }
    process.exit(code);
  };
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (stopping && Date.now() - stopping.at > SAME_REQUEST_MS) {
        log(`${signal} again: stopping now`);
        process.exit(signalExitCode(signal)); // the exit hook kills what is left
      }
      void shutdown(signalExitCode(signal), signal, signal);
    });
  }
  // Orphaned (the parent died without passing a signal on, e.g. a shell killed with SIGKILL):
  // treat it as a SIGTERM rather than keep the stack running.
  const parentPid = process.ppid;
  setInterval(() => {
    if (process.ppid === parentPid || stopping) return;
    log("parent process gone: stopping");
    void shutdown(signalExitCode("SIGTERM"), "parent process gone");
  }, 1000).unref();
  // Last resort for crashes and early exits; after a clean shutdown nothing is left to kill.
  process.on("exit", () => {
    if (!cleaned) for (const pid of roots()) killTreeSync(pid);
  });
  return shutdown;
}

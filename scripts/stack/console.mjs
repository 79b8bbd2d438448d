// What `npm start` prints: its own concise lines, never the emulators' raw output (that goes
// to .runtime/). The runner's notes go to stderr as `[stack] …`; in the foreground, each
// callable request and each transaction's notifications become one readable line on stdout,
// read from the functions' named log events (functions/src/adapters/logs.ts) as firebase-tools
// relays them (`>  {"event":"command",…}`).
import path from "node:path";

const time = () => new Date().toTimeString().slice(0, 8);
/** Auth emulator uids and generated call ids are long: the first 8 characters tell them apart. */
const short = (id) => (typeof id === "string" && id.length > 12 ? `${id.slice(0, 8)}…` : id);

export const log = (msg) => process.stderr.write(`[stack] ${msg}\n`);

/** The event a firebase-tools output line relays from a function, or null. */
export function functionEvent(line) {
  const m = /^>\s+(\{.*\})\s*$/.exec(line);
  if (!m) return null;
  try {
    return JSON.parse(m[1]);
  } catch {
    return null;
  }
}

/** One readable line for a function's log event, or null for those not worth a line. */
export function describeEvent(e) {
  if (e.event === "command") {
    const call = e.call_id ? ` call ${short(e.call_id)}` : "";
    const answer = e.ok ? "ok" : `refused ${e.code} (${e.reason}): ${e.refusal}`;
    return `${e.command.padEnd(16)} by ${short(e.by)}${call}: ${answer}`;
  }
  if (e.event === "notified") {
    const byCall = new Map();
    for (const n of e.notices) {
      const what = `${short(n.to)} ← ${n.path.replace("/call/notify_", "")}`;
      byCall.set(n.call_id, [...(byCall.get(n.call_id) ?? []), what]);
    }
    return [...byCall]
      .map(([id, what]) => `${"  notified".padEnd(16)} call ${short(id)}: ${what.join(", ")}`)
      .join("\n");
  }
  const push = describePushEvent(e);
  if (push) return push;
  if (e.severity === "WARNING" || e.severity === "ERROR") {
    return `${"  function".padEnd(16)} ${e.severity.toLowerCase()}: ${e.message}`;
  }
  return null; // INFO and DEBUG lines: in .runtime/firebase.log
}

/** The push task's events (logs.ts): a token pruned, a push given up, a setup error. */
function describePushEvent(e) {
  const at = (x) => `${short(x.uid)}/${x.device_id} via ${x.channel}`;
  switch (e.event) {
    case "push_pruned":
      return `${"  push".padEnd(16)} token pruned: ${at(e)} (${e.code})`;
    case "push_failed":
      return `${"  push".padEnd(16)} given up: ${at(e)} (${e.code})`;
    case "push_prune_withheld":
      return `${"  push".padEnd(16)} error: all ${e.count} tokens of a batch unregistered alike (${e.code}): pruned none`;
    case "push_config_error":
      return `${"  push".padEnd(16)} error: configuration (${e.channel} ${e.code}): ${e.fix}`;
    case "apns_key_bad":
    case "push_self_check":
      return `${"  push".padEnd(16)} ${e.severity === "ERROR" ? "error: " : ""}${e.message}${e.fix ? ` (fix: ${e.fix})` : ""}`;
    default:
      return null;
  }
}

/**
 * A handler for firebase-tools' output lines: the foreground prints call lines; any mode
 * reports a broken functions build before the emulators are ready (it does not stop them).
 * A command's notifications are logged before its answer: they are held until that command's
 * line (same call) is printed, or for HOLD_MS (those of a deadline task or of the sweep).
 */
const HOLD_MS = 500;
export function firebaseLineHandler({ foreground, write = (s) => process.stdout.write(s) }) {
  const held = new Map(); // call_id -> { lines, timer }
  const print = (text) => {
    for (const l of text.split("\n")) write(`${time()} ${l}\n`);
  };
  const flush = (callId) => {
    const h = held.get(callId);
    if (!h) return;
    held.delete(callId);
    clearTimeout(h.timer);
    for (const text of h.lines) print(text);
  };
  return (line, ready) => {
    if (!ready && /functions.*(error|failed)/i.test(line)) {
      log(`firebase: ${line.trim()} (see .runtime/firebase.log)`);
      return;
    }
    if (!foreground) return;
    const event = functionEvent(line);
    const text = event && describeEvent(event);
    if (!text) return;
    if (event.event === "notified") {
      const callId = event.notices[0]?.call_id;
      const h = held.get(callId) ?? { lines: [], timer: setTimeout(() => flush(callId), HOLD_MS) };
      h.lines.push(text);
      held.set(callId, h);
      return;
    }
    print(text);
    if (event.event === "command") flush(event.call_id);
  };
}

/** The ready banner: where everything is, and what is (and is not) running. */
export function banner({ cfg, jar, jarHost, gate, demo, functions, passed, foreground }) {
  const { project, hosts, sweepMs } = cfg;
  const node = process.versions.node;
  const deployed = cfg.deployRuntime ? `, deployed on ${cfg.deployRuntime}` : "";
  const logs = path.relative(cfg.root, cfg.runtime); // .runtime, or .runtime/stack-<offset>
  const sweep = sweepMs
    ? `sweepTimeouts every ${sweepMs / 1000} s, POSTed by this runner (the emulator ignores ` +
      "its schedule: no Pub/Sub emulator)"
    : "off (RINGBACK_SWEEP_INTERVAL_MS=0; deadline tasks still end calls on time)";
  const lines = [
    `Ringback ready (project ${project})`,
    `  Firestore  ${hosts.firestore}${jar ? "" : " (firebase-tools)"}${gate ? ` (gate to ${jarHost}: SIGUSR2 restarts it)` : ""}`,
    `  Auth       ${hosts.auth}`,
    `  Functions  http://${hosts.functions}/${project}/us-central1/<name> (${functions} functions, Node ${node} here${deployed})`,
    `  Tasks      ${hosts.tasks}; deadline tasks delivered on time by ${hosts.scheduledTasks}`,
    `  Sweep      ${sweep}`,
    `  Pushes     printed here (no FCM/APNs locally)`,
    `  Webhooks   ${process.env.RINGBACK_WEBHOOK_URL ? `→ ${process.env.RINGBACK_WEBHOOK_URL}` : "off (set RINGBACK_WEBHOOK_URL and RINGBACK_WEBHOOK_SECRET)"}`,
    `  Policy     ${process.env.RINGBACK_POLICY_URL ? `→ ${process.env.RINGBACK_POLICY_URL}` : "off"}; a settable hook at http://${cfg.hosts.policyReceiver}/policy`,
    `  Control    http://${cfg.hosts.control}/ lists the stand-ins' routes: GET /pushes, PUT /policy {"mode":"allow|deny|slow"}, task faults`,
    ...(passed.length ? [`  Params     ${passed.join(", ")} (from the environment)`] : []),
    `  Demo       ${demo.url} (${demo.signIn})`,
    `  Logs       ${logs}/${jar ? `firestore.log, ${logs}/` : ""}firebase.log`,
  ];
  if (foreground) lines.push("Each command and notification below; Ctrl-C stops.");
  return `${lines.join("\n")}\n`;
}

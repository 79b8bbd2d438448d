/**
 * 8. The HTTP door (callApi) against the callables, in one run on the same users: each of
 * the six commands' round trip (request → answer) over raw HTTP and through the firebase web
 * SDK's callable, and the delivery of each invitation (invoke → it arrives) on the callee's
 * notification stream and on the same callee's snapshot listener, both open at once.
 */
import { randomUUID } from "node:crypto";
import { newUser, type TestUser } from "../test/support/clients.js";
import { api, openStream, type Stream } from "../test/support/http.js";
import { ms, now, summarize, type Summary } from "./lib/stats.js";
import type { Section } from "./lib/table.js";

export const HTTP_COMMANDS = [
  "start_call",
  "accept_call",
  "heartbeat",
  "end_call",
  "cancel_call",
  "decline_call",
] as const;
type Command = (typeof HTTP_COMMANDS)[number];
const CALLABLE: Record<Command, string> = {
  start_call: "startCall",
  accept_call: "acceptCall",
  heartbeat: "heartbeat",
  end_call: "endCall",
  cancel_call: "cancelCall",
  decline_call: "declineCall",
};

export interface HttpBenchResult {
  pairs: number;
  http: Record<Command, Summary>;
  callable: Record<Command, Summary>;
  /** Invoke → the invitation arrives, on the stream and on the listener. */
  delivery: { stream: Summary; listener: Summary };
}

type Door = "http" | "callable";
type Samples = Record<Door, Record<Command, number[]>> & {
  stream: number[];
  listener: number[];
};

async function invoke(door: Door, user: TestUser, command: Command, body: object) {
  if (door === "callable") return user.call(CALLABLE[command], body); // the same body
  const a = await api(user, command, body);
  if (a.status !== 200) throw new Error(`${command}: ${a.status} ${a.text}`);
  return a.json.data;
}

async function timedCommand(
  s: Samples,
  door: Door,
  user: TestUser,
  command: Command,
  body: object,
): Promise<void> {
  const t0 = now();
  await invoke(door, user, command, body);
  s[door][command].push(now() - t0);
}

/** start_call, timed, and the invitation's arrival on the stream and the listener. */
async function ring(s: Samples, door: Door, a: TestUser, b: TestUser, stream: Stream) {
  const call_id = `benchhttp-${randomUUID()}`;
  const t0 = now();
  const onStream = stream
    .waitEvent((e) => e.event === "/call/notify_call_invited" && e.id.startsWith(call_id))
    .then(() => now() - t0);
  const onListener = b
    .waitNotification("/call/notify_call_invited", call_id)
    .then(() => now() - t0);
  const body = { call_id, caller: { id: a.uid, name: a.name }, callees: [{ id: b.uid }], type: 1 };
  await invoke(door, a, "start_call", body);
  s[door].start_call.push(now() - t0);
  const [ts, tl] = await Promise.all([onStream, onListener]);
  s.stream.push(ts);
  s.listener.push(tl);
  return call_id;
}

/** One lifecycle of each shape through `door`: answered and ended, canceled, declined. */
async function lifecycles(s: Samples, door: Door, a: TestUser, b: TestUser, stream: Stream) {
  const c1 = await ring(s, door, a, b, stream);
  await timedCommand(s, door, b, "accept_call", { id: b.uid, call_id: c1 });
  await timedCommand(s, door, a, "heartbeat", { id: a.uid, call_id: c1 });
  await timedCommand(s, door, b, "end_call", { id: b.uid, call_id: c1 });
  const c2 = await ring(s, door, a, b, stream);
  await timedCommand(s, door, a, "cancel_call", { id: a.uid, call_id: c2, callee_id: b.uid });
  const c3 = await ring(s, door, a, b, stream);
  const decline = { id: b.uid, caller_id: a.uid, call_id: c3, type: 1 };
  await timedCommand(s, door, b, "decline_call", decline);
}

const empty = () =>
  Object.fromEntries(HTTP_COMMANDS.map((c) => [c, [] as number[]])) as Record<Command, number[]>;

export async function httpBench(
  opts: { pairs: number },
  progress: (msg: string) => void,
): Promise<HttpBenchResult> {
  const s: Samples = { http: empty(), callable: empty(), stream: [], listener: [] };
  // A warm-up pair, not measured: the first request of each door loads its code.
  const doors: Door[] = ["http", "callable"];
  for (let i = -1; i < opts.pairs; i++) {
    const [a, b] = await Promise.all([newUser("http-a"), newUser("http-b")]);
    const stream = await openStream(b);
    await stream.waitComment(/ringback notifications/);
    const target = i < 0 ? { http: empty(), callable: empty(), stream: [], listener: [] } : s;
    // Alternate which door goes first, so neither always meets a warmer instance.
    for (const door of i % 2 === 0 ? doors : [...doors].reverse()) {
      await lifecycles(target, door, a, b, stream);
    }
    stream.close();
    await Promise.all([a.close(), b.close()]);
    if (i >= 0) progress(`http: ${i + 1}/${opts.pairs} pairs`);
  }
  const sum = (r: Record<Command, number[]>) =>
    Object.fromEntries(HTTP_COMMANDS.map((c) => [c, summarize(r[c])])) as Record<Command, Summary>;
  return {
    pairs: opts.pairs,
    http: sum(s.http),
    callable: sum(s.callable),
    delivery: { stream: summarize(s.stream), listener: summarize(s.listener) },
  };
}

/** Sections 8 and 8b of the report: the HTTP door against the callable, and the stream. */
export function httpSections(r: HttpBenchResult): Section[] {
  const med = (s: Summary) => ms(s.median);
  const p95 = (s: Summary) => ms(s.p95);
  return [
    {
      title: `8. HTTP door: callApi vs the callable, request → answer (${r.pairs} pairs, 3 lifecycles each per door)`,
      head: ["", "HTTP median", "HTTP p95", "callable median", "callable p95"],
      rows: HTTP_COMMANDS.map((c) => [
        c,
        med(r.http[c]),
        p95(r.http[c]),
        med(r.callable[c]),
        p95(r.callable[c]),
      ]),
    },
    {
      title:
        "8b. Notification delivery: start invoked → the invitation arrives (same callee, both open)",
      head: ["", "median", "p95", "n"],
      rows: [
        [
          "SSE stream (callApi/call/notifications)",
          med(r.delivery.stream),
          p95(r.delivery.stream),
          r.delivery.stream.n,
        ],
        [
          "Firestore snapshot listener (web SDK)",
          med(r.delivery.listener),
          p95(r.delivery.listener),
          r.delivery.listener.n,
        ],
      ],
    },
  ];
}

import { httpDoor, type Runnable } from "../adapters/http/door.js";
import type { CallableHandler } from "../adapters/callable/validated.js";
import { lazy } from "../lazy.js";

/** A command the door runs: its callable's own handler, loaded on the door's first use of it. */
const command = (load: () => Promise<CallableHandler>): Runnable => ({ run: lazy(load) });

/**
 * ZEGO Call's HTTP request protocol (docs/protocol.md#http-api-zego-call-compatible):
 * `POST …/callApi/call/<command>` runs the callable of that name, `GET
 * …/callApi/call/notifications` streams the user's notifications. Its trigger and options
 * are in index.ts and triggers.ts; each command's handler, and the stream's, loads on the
 * first request that needs it, so a door that only streams never loads startCall's code.
 */
export const callApi = httpDoor(
  {
    start_call: command(async () => (await import("./startCall.js")).startCall),
    cancel_call: command(async () => (await import("./cancelCall.js")).cancelCall),
    accept_call: command(async () => (await import("./acceptCall.js")).acceptCall),
    decline_call: command(async () => (await import("./declineCall.js")).declineCall),
    end_call: command(async () => (await import("./endCall.js")).endCall),
    heartbeat: command(async () => (await import("./heartbeat.js")).heartbeat),
  },
  lazy(async () => (await import("../adapters/http/stream.js")).notificationStream),
);

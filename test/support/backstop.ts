/**
 * The sweep's backstops run from a test: a context in this process whose deliveries go where
 * the stack's functions enqueue (its scheduled-task stand-in), with the channels it names on.
 */
import { getApps, initializeApp } from "firebase-admin/app";
import type { Ctx } from "../../functions/src/adapters/context.js";
import { channelEffects } from "../../functions/src/channels/deliver.js";
import { adminDb } from "./admin.js";
import { env } from "./env.js";
import { HEARTBEAT } from "./heartbeat.js";

export function backstopContext(on: Pick<Ctx, "push" | "outbox">): Ctx {
  const host = process.env.RINGBACK_SCHEDULED_TASKS;
  if (!host) throw new Error("RINGBACK_SCHEDULED_TASKS is not set: run through `npm test`.");
  process.env.CLOUD_TASKS_EMULATOR_HOST = host;
  if (!getApps().some((a) => a.name === "[DEFAULT]")) initializeApp({ projectId: env.projectId });
  return {
    db: adminDb(),
    cfg: { heartbeatIntervalS: HEARTBEAT.intervalS, heartbeatTimeoutMs: HEARTBEAT.timeoutMs },
    effects: channelEffects(adminDb()),
    ...on,
  };
}

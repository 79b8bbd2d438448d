/**
 * The push outbox: one `ringback_push_jobs/{job_id}` document per (call, user, ring | cancel), written
 * in the same transaction as the change that caused it (a rolled-back change rings nobody, a
 * function that dies after the commit loses nothing), then sent from a task queue named after
 * the job. The job records each device it goes to and what became of it, so a retried task
 * never sends to a device twice. Server-only; kept a day (`expire_at`, for a TTL policy).
 */
import { createHash } from "node:crypto";
import { Timestamp } from "firebase-admin/firestore";
import type { PushJob, PushType } from "../../core/push.js";
import { PRIVATE_COLLECTIONS } from "../../model/collections.js";
import type { Channel, DeviceTokens } from "./messages.js";
import { z } from "zod";
import { outboxRow, outboxRowFields, type OutboxRow, type RowSchema } from "../outbox.js";

export const PUSH_JOBS = PRIVATE_COLLECTIONS.pushJobs;
export const PUSH_JOB_TTL_MS = 24 * 3600 * 1000;

/** The job's id: task-name safe whatever the uid holds, the same on every retry. */
export function pushJobId(callId: string, uid: string, type: PushType): string {
  const u = createHash("sha256").update(uid).digest("hex").slice(0, 24);
  return `${callId}-${type}-${u}`;
}

export type JobStatus =
  /** Not claimed yet. */
  | "pending"
  /** An attempt holds the lease. */
  | "sending"
  /** Some devices failed for now: the queue tries again (never past the ring deadline). */
  | "retry"
  | "done"
  /** A ring the cancel overtook: never sent, or sent to some devices only. */
  | "superseded"
  /** A ring whose deadline passed before it could go. */
  | "expired";

export type DeviceState = "pending" | "sent" | "unregistered" | "failed" | "no_token";

export interface JobDevice extends DeviceTokens {
  state: DeviceState;
  channel?: Channel;
  code?: string;
  /** When the message was handed to the sender (epoch ms). */
  handed_at?: number;
}

const job = z.object({
  type: z.enum(["ring", "cancel"]),
  call_id: z.string(),
  uid: z.string(),
  caller_id: z.string(),
  caller_name: z.string(),
  call_type: z.union([z.literal(1), z.literal(2)]),
  expires_at: z.number(),
  reason: z
    .enum(["answered_elsewhere", "declined", "busy", "canceled", "timeout", "call_ended"])
    .optional(),
  except_device: z.string().optional(),
  push: z.object({ title: z.string(), content: z.string(), payload: z.string() }).optional(),
}) satisfies z.ZodType<PushJob>;

const device = z.object({
  device_id: z.string(),
  platform: z.enum(["ios", "android", "web"]),
  fcm_token: z.string().nullable(),
  voip_token: z.string().nullable(),
  apns_env: z.enum(["sandbox", "production"]).nullable().optional(),
  state: z.enum(["pending", "sent", "unregistered", "failed", "no_token"]),
  channel: z.enum(["fcm", "voip"]).optional(),
  code: z.string().optional(),
  handed_at: z.number().optional(),
}) satisfies z.ZodType<JobDevice>;

/** A stored job, parsed when read (its delivery, its cancel's look at it, its backstop). */
export const pushJobDocSchema: RowSchema<PushJobDoc> = z.object({
  ...outboxRowFields,
  job_id: z.string(),
  call_id: z.string(),
  uid: z.string(),
  type: z.enum(["ring", "cancel"]),
  job,
  status: z.enum(["pending", "sending", "retry", "done", "superseded", "expired"]),
  devices: z.record(z.string(), device).nullable(),
  attempts: z.number().int(),
});

export interface PushJobDoc extends OutboxRow {
  job_id: string;
  call_id: string;
  uid: string;
  type: PushType;
  job: PushJob;
  status: JobStatus;
  /** The devices it goes to, fixed by the first attempt; null before. */
  devices: Record<string, JobDevice> | null;
  attempts: number;
}

/** The task that sends a change's jobs: named after them, so never enqueued twice. */
export function pushTaskId(jobs: readonly PushJob[]): { id: string; job_ids: string[] } {
  const job_ids = jobs.map((j) => pushJobId(j.call_id, j.uid, j.type));
  const h = createHash("sha256").update(job_ids.join(",")).digest("hex").slice(0, 24);
  return { id: `${jobs[0]?.call_id ?? "none"}-push-${h}`, job_ids };
}

/** One attempt may hold a job this long (its lease). */
export const LEASE_MS = 20_000;

/**
 * The job's row as its change commits it. With `claimedFor` (the devices the request read
 * before its transaction) the row is committed already claimed by the request's own inline
 * attempt: `sending`, its lease from the change's time, its devices fixed, one attempt. It
 * stays `unsent_since` until that attempt settles it, as any inline attempt leaves it.
 */
export function pushJobDoc(
  changeAt: number,
  job: PushJob,
  claimedFor?: readonly DeviceTokens[],
): PushJobDoc {
  const row = outboxRow(job.call_id, changeAt, PUSH_JOB_TTL_MS);
  const base = {
    ...row,
    job_id: pushJobId(job.call_id, job.uid, job.type),
    call_id: job.call_id,
    uid: job.uid,
    type: job.type,
    job,
  };
  if (!claimedFor) return { ...base, status: "pending", devices: null, attempts: 0 };
  const devices = Object.fromEntries(
    claimedFor.map((d): [string, JobDevice] => [
      d.device_id,
      { ...d, apns_env: d.apns_env ?? null, state: "pending" },
    ]),
  );
  const lease_until = Timestamp.fromMillis(changeAt + LEASE_MS);
  return { ...base, status: "sending", lease_until, devices, attempts: 1 };
}

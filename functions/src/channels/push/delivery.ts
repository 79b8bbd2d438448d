/**
 * Sends one push job (docs/protocol.md#offline-push): claims it in a transaction (with a
 * lease), fixes the devices it goes to on the first attempt, sends to each device not yet
 * done, and records what became of each. A ring never goes after its deadline nor after its
 * cancel; a cancel goes to exactly the devices the ring reached (waiting out a ring still in
 * flight), except the device that answered. A token is dropped only when its service says it
 * is dead, and never when every message of a batch says so alike (a circuit breaker: that is
 * our setup, not the devices); configuration errors drop nothing and tell the operator.
 */
import { Timestamp, type DocumentSnapshot, type Firestore } from "firebase-admin/firestore";
import { dropToken, registeredDevices } from "../../adapters/calls/devices.js";
import {
  LEASE_MS,
  PUSH_JOBS,
  pushJobDocSchema,
  pushJobId,
  type JobDevice,
  type JobStatus,
  type PushJobDoc,
} from "./outbox.js";
import { messagesFor, type PushMessage, type PushSender, type SendOutcome } from "./messages.js";
import { logs } from "../../adapters/logs.js";
import { claimRow, parseRow } from "../outbox.js";

/** A job as stored, parsed; undefined when there is none. */
const readJob = (snap: DocumentSnapshot): PushJobDoc | undefined =>
  snap.exists ? parseRow(pushJobDocSchema, snap.data(), snap.ref.path) : undefined;

/** An attempt this close to its lease's end records its outcome in a transaction. */
const LEASE_MARGIN_MS = 5_000;
/** A cancel is retried until this long after the ring deadline (or after it was decided). */
export const CANCEL_GRACE_MS = 30_000;

export interface Senders {
  fcm: PushSender;
  /** APNs VoIP; null when not configured (iOS devices are then rung through FCM). */
  voip: PushSender | null;
}

/** What an attempt came to: `retry` and `wait` ask the queue to run the task again. */
export type PushAttempt = "sent" | "retry" | "wait" | "skipped";

type Claim =
  | { kind: "skip" }
  | { kind: "wait" }
  | { kind: "send"; doc: PushJobDoc; devices: Record<string, JobDevice> };

/** The states an attempt may claim a job in. */
const OPEN: readonly string[] = ["pending", "sending", "retry"];

const ms = (t: Timestamp | null | undefined) => t?.toMillis() ?? 0;
const jobs = (db: Firestore) => db.collection(PUSH_JOBS);

async function devicesOf(db: Firestore, uid: string): Promise<JobDevice[]> {
  const list = (await registeredDevices(db, [uid])).get(uid) ?? [];
  return list.map((d) => ({ ...d, state: "pending" }));
}

async function claim(
  db: Firestore,
  jobId: string,
  now: number,
  uid: string | undefined,
  keepUnsent: boolean,
): Promise<Claim> {
  const ref = jobs(db).doc(jobId);
  // A ring's devices, read beside the transaction, not in it (a query in one locks more than
  // it reads); awaited only where the claim needs them.
  const found = uid ? devicesOf(db, uid) : Promise.resolve([]);
  found.catch(() => undefined); // a claim that ends first never awaits it
  const got = await claimRow<PushJobDoc, Claim>(
    ref,
    pushJobDocSchema,
    now,
    OPEN,
    async (doc, tx, lease) => {
      const finish = (status: JobStatus): Claim => {
        tx.update(ref, { status, lease_until: null, unsent_since: null });
        return { kind: "skip" };
      };
      let devices = doc.devices;
      if (doc.type === "ring") {
        const cancelRef = jobs(db).doc(pushJobId(doc.call_id, doc.uid, "cancel"));
        if ((await tx.get(cancelRef)).exists) return finish("superseded");
        if (now >= doc.job.expires_at) return finish("expired");
        if (devices === null && uid === undefined) return { kind: "wait" }; // cannot happen
        devices ??= Object.fromEntries((await found).map((d) => [d.device_id, d]));
      } else if (devices === null) {
        // A cancel goes where the ring went: wait for a ring in flight, stop one not yet sent.
        const ringRef = jobs(db).doc(pushJobId(doc.call_id, doc.uid, "ring"));
        const ring = readJob(await tx.get(ringRef));
        if (ring?.status === "sending" && ms(ring.lease_until) > now) return { kind: "wait" };
        if (ring && OPEN.includes(ring.status)) {
          tx.update(ringRef, { status: "superseded", lease_until: null, unsent_since: null });
        }
        devices = {};
        for (const d of Object.values(ring?.devices ?? {})) {
          if (d.state !== "sent" || d.device_id === doc.job.except_device) continue;
          const { device_id, platform, fcm_token, voip_token } = d;
          devices[d.device_id] = {
            device_id,
            platform,
            fcm_token,
            voip_token,
            apns_env: d.apns_env ?? null,
            state: "pending",
          };
        }
      }
      const unsent = keepUnsent ? { unsent_since: doc.unsent_since } : {};
      lease(LEASE_MS, { status: "sending", devices, attempts: doc.attempts + 1, ...unsent });
      return { kind: "send", doc, devices };
    },
  );
  return got === "absent" ? { kind: "skip" } : got === "held" ? { kind: "wait" } : got;
}

/**
 * The circuit breaker: when every message of a batch (more than one) comes back unregistered
 * with one code, the fault is ours (a credential, a project, an environment), not each
 * device's: nothing is pruned, each is given up, and it is logged.
 */
export function breakCircuit(jobId: string, channel: string, res: SendOutcome[]): SendOutcome[] {
  const codes = new Set(res.map((o) => (o.ok ? "" : `${o.error} ${o.code}`)));
  const first = res[0];
  if (res.length < 2 || codes.size !== 1 || !first || first.ok || first.error !== "unregistered") {
    return res;
  }
  logs.pruneWithheld(jobId, channel, first.code, res.length);
  return res.map(() => ({ ok: false, error: "permanent", code: `withheld: ${first.code}` }));
}

async function sendAll(senders: Senders, msgs: PushMessage[]): Promise<SendOutcome[]> {
  const out = new Map<PushMessage, SendOutcome>();
  const byChannel = (c: PushMessage["channel"]) => msgs.filter((m) => m.channel === c);
  await Promise.all(
    (["fcm", "voip"] as const).map(async (c) => {
      const group = byChannel(c);
      const sender = c === "fcm" ? senders.fcm : senders.voip;
      if (group.length === 0 || !sender) return;
      const res = await sender
        .send(group)
        .catch((e: unknown) =>
          group.map((): SendOutcome => ({ ok: false, error: "transient", code: String(e) })),
        );
      const checked = breakCircuit(group[0]?.job_id ?? "", c, res);
      group.forEach((m, i) =>
        out.set(m, checked[i] ?? { ok: false, error: "transient", code: "?" }),
      );
    }),
  );
  return msgs.map((m) => out.get(m) as SendOutcome);
}

/**
 * One attempt at job `jobId`; `now` is the attempt's time. An inline attempt (inline.ts)
 * names the job it just committed (`inline`), so it skips the look before the claim, and
 * leaves the job `unsent_since` until it is settled, so that the sweep still takes it up if
 * this instance dies before the job's task is enqueued.
 */
export async function deliverPush(
  db: Firestore,
  jobId: string,
  senders: Senders,
  now = Date.now(),
  { inline }: { inline?: { type: PushJobDoc["type"]; uid: string } } = {},
): Promise<PushAttempt> {
  let ringUid = inline?.type === "ring" ? inline.uid : undefined;
  if (!inline) {
    const peek = readJob(await jobs(db).doc(jobId).get());
    if (!peek || !OPEN.includes(peek.status)) return "skipped";
    ringUid = peek.type === "ring" && peek.devices === null ? peek.uid : undefined;
  }
  const c = await claim(db, jobId, now, ringUid, inline !== undefined);
  if (c.kind !== "send") return c.kind === "wait" ? "wait" : "skipped";
  return sendClaimed(db, c.doc, c.devices, senders, now);
}

/**
 * Sends a job this attempt holds (claimed at `now`, by claim above or by the commit that
 * wrote it: outbox.ts pushJobDoc) to each device not yet done, and records what became of
 * each; `retry` when some failed for now and the job may still go.
 */
export async function sendClaimed(
  db: Firestore,
  doc: PushJobDoc,
  devices: Record<string, JobDevice>,
  senders: Senders,
  now: number,
): Promise<"sent" | "retry"> {
  const jobId = doc.job_id;
  const pending = Object.values(devices).filter((d) => d.state === "pending");
  const handed = Date.now();
  const msgs = messagesFor(jobId, doc.job, pending, senders.voip !== null, handed);
  for (const d of pending) {
    if (!msgs.some((m) => m.device_id === d.device_id)) d.state = "no_token";
  }
  const outcomes = await sendAll(senders, msgs);
  const prunes: Promise<void>[] = [];
  msgs.forEach((m, i) => {
    const o = outcomes[i] as SendOutcome;
    const d = devices[m.device_id] as JobDevice;
    d.channel = m.channel;
    d.handed_at = handed;
    if (o.ok) d.state = "sent";
    else {
      d.code = o.code;
      const who = { job_id: jobId, uid: doc.uid, device_id: m.device_id, channel: m.channel };
      if (o.error === "unregistered") {
        d.state = "unregistered";
        logs.pushOutcome("push_pruned", { ...who, code: o.code });
        prunes.push(dropToken(db, doc.uid, m.device_id, m.channel, m.token));
      } else if (o.error === "permanent" || o.error === "config") {
        d.state = "failed";
        if (o.error === "config") logs.pushConfigError(m.channel, o.code, o.fix ?? "");
        logs.pushOutcome("push_failed", { ...who, code: o.code });
      }
    }
  });
  await Promise.all(prunes.map((p) => p.catch(() => undefined)));
  const later = Date.now();
  const until =
    doc.type === "ring"
      ? doc.job.expires_at
      : Math.max(doc.job.expires_at, doc.created_at.toMillis()) + CANCEL_GRACE_MS;
  const transient = Object.values(devices).some((d) => d.state === "pending");
  const retry = transient && later < until;
  if (transient && !retry) {
    for (const d of Object.values(devices)) {
      if (d.state !== "pending") continue;
      d.state = "failed";
      const who = { job_id: jobId, uid: doc.uid, device_id: d.device_id };
      logs.pushOutcome("push_failed", { ...who, channel: d.channel ?? "?", code: d.code ?? "" });
    }
  }
  const ref = jobs(db).doc(jobId);
  const record = (status: JobStatus) => ({
    devices,
    status,
    lease_until: null,
    // Settled: no longer the sweep's (an inline attempt kept it unsent until now).
    ...(status === "retry" ? {} : { unsent_since: null }),
  });
  if (Date.now() < now + LEASE_MS - LEASE_MARGIN_MS) {
    // Within the lease nothing else writes the job (a cancel waits for its ring in flight):
    // one write records it, and the answer of an inline send waits one round trip less.
    await ref.update(record(retry ? "retry" : "done"));
  } else {
    await db.runTransaction(async (tx) => {
      const cur = readJob(await tx.get(ref));
      // A cancel that overtook this ring once its lease ran out keeps it superseded.
      tx.update(
        ref,
        record(cur?.status === "superseded" ? "superseded" : retry ? "retry" : "done"),
      );
    });
  }
  return retry ? "retry" : "sent";
}

/**
 * Delivers one outbox event to the app's backend (docs/protocol.md#server-to-server-callbacks):
 * claims it with a short lease (a second task for the same event waits it out), POSTs the
 * signed envelope with a 5 s limit, and records the attempt. A failed attempt is retried by
 * the task queue (2, 4, 8, 16, 32 s); the last one marks the event failed, kept for re-driving.
 */
import { FieldValue, Timestamp, type Firestore } from "firebase-admin/firestore";
import { claimRow } from "../outbox.js";
import { OUTBOX, outboxDocSchema, type Attempt, type OutboxDoc } from "./outbox.js";
import type { WebhookSettings } from "./settings.js";
import { headerSignature, zegoSignature } from "./signing.js";

/** An attempt with no answer in this long has failed. */
export const ATTEMPT_TIMEOUT_MS = 5000;
const LEASE_MS = ATTEMPT_TIMEOUT_MS + 10_000;

export type Delivery = "delivered" | "retry" | "failed" | "skipped";

/** The JSON body: the envelope, then the event's own fields. */
export function envelope(doc: OutboxDoc, appId: string, secret: string): Record<string, unknown> {
  return {
    appid: appId,
    event: doc.event,
    nonce: doc.nonce,
    signature: zegoSignature(secret, doc.timestamp, doc.nonce),
    timestamp: doc.timestamp,
    call_id: doc.call_id,
    ...doc.fields,
  };
}

async function claim(db: Firestore, eventId: string, now: number): Promise<OutboxDoc | null> {
  const got = await claimRow<OutboxDoc, OutboxDoc>(
    db.collection(OUTBOX).doc(eventId),
    outboxDocSchema,
    now,
    ["pending"],
    (doc, _tx, lease) => {
      lease(LEASE_MS);
      return doc;
    },
  );
  return typeof got === "string" ? null : got;
}

async function post(
  url: string,
  doc: OutboxDoc,
  body: string,
  secret: string,
  previous: readonly string[],
): Promise<Pick<Attempt, "status" | "error">> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Ringback-Event-Id": doc.event_id,
        "Ringback-Event-Seq": String(doc.seq),
        "Ringback-Signature": headerSignature(
          [secret, ...previous],
          Math.floor(Date.now() / 1000),
          body,
        ),
      },
      body,
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    if (err.name === "TimeoutError") return { error: `no answer within ${ATTEMPT_TIMEOUT_MS} ms` };
    return { error: err.cause?.code ?? err.message };
  }
}

/**
 * One attempt at delivering `eventId`. `attempt` counts from 1; `last` is the queue's final
 * attempt. Answers what became of the event: `retry` asks the queue to try again.
 */
export async function deliverOnce(
  db: Firestore,
  eventId: string,
  settings: WebhookSettings,
  secret: string,
  attempt: { n: number; last: boolean },
): Promise<Delivery> {
  const started = Date.now();
  const doc = await claim(db, eventId, started);
  if (!doc) return "skipped"; // delivered, failed, gone, or another attempt holds it
  const body = JSON.stringify(envelope(doc, settings.appId, secret));
  const answer = await post(settings.url, doc, body, secret, settings.previousSecrets ?? []);
  const ok = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
  const done = Timestamp.now();
  const record: Attempt = { n: attempt.n, at: done, ms: done.toMillis() - started, ...answer };
  const outcome: Delivery = ok ? "delivered" : attempt.last ? "failed" : "retry";
  await db
    .collection(OUTBOX)
    .doc(eventId)
    .update({
      attempts: FieldValue.arrayUnion(record),
      lease_until: null,
      status: outcome === "retry" ? "pending" : outcome,
      ...(outcome === "delivered" ? { delivered_at: done } : {}),
      ...(outcome === "failed" ? { failed_at: done } : {}),
    });
  return outcome;
}

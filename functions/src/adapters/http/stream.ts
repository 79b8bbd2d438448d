/**
 * `GET …/call/notifications`: the signed-in user's notifications as server-sent events
 * (docs/protocol.md#the-notification-stream). One snapshot listener on
 * `users/{uid}/notifications`; each new document is one event, in commit order.
 *
 * Event ids are `<notification id>@<commit time>`. The order is (commit time, notification
 * id): a snapshot holds every document committed up to its read time, so a document a later
 * snapshot adds was committed after everything already sent, and sending each snapshot's
 * new documents sorted keeps the stream in that order. A reconnect with `Last-Event-ID`
 * sends exactly the documents after that id (nothing missed, nothing twice). A stream with
 * nothing yet to send gets `id: @<read time>` first, so it resumes from when it opened.
 */
import { Timestamp, type QueryDocumentSnapshot } from "firebase-admin/firestore";
import type { Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import {
  ENFORCE_APP_CHECK,
  STREAMS_PER_USER,
  STREAM_KEEPALIVE_SECONDS,
  STREAM_SECONDS,
} from "../../params.js";
import { collections, firestore, NOTIFICATION_TTL_MS } from "../store/firestore.js";
import { credentials, isAnswer } from "./auth.js";
import { refusal } from "./codes.js";
import { send } from "./door.js";
import { takeSlot } from "./streamSlots.js";
import { appCheckPasses } from "../callable/validated.js";

/**
 * How far before the cursor the listener reads: a document's `created_at` is its
 * transaction's clock, a little before its commit time (a transaction lasts at most minutes).
 */
const LOOKBACK_MS = 5 * 60_000;

/** Everything up to `time` was sent, and at `time` itself every id up to `id` ("": all). */
interface Cursor {
  time: Timestamp;
  id: string;
}

const stamp = (t: Timestamp) => `${t.seconds}.${String(t.nanoseconds).padStart(9, "0")}`;
const eventIdOf = (c: Cursor) => `${c.id}@${stamp(c.time)}`;

/** A cursor may run ahead of this instance's clock by this much (clocks drift a little). */
const FUTURE_SKEW_MS = 60_000;

/**
 * A Last-Event-ID this stream gave out, or null when it is not one or lies outside what the
 * stream can resume from: older than the notifications' retention (a cursor of years ago would
 * replay everything kept) or in the future; undefined when none was sent.
 */
export function parseCursor(raw: string | undefined, now: number): Cursor | null | undefined {
  if (raw === undefined || raw === "") return undefined;
  const m = /^([A-Za-z0-9_-]{0,200})@(\d{1,12})\.(\d{9})$/.exec(raw);
  if (!m) return null;
  const ms = Number(m[2]) * 1000;
  if (ms < now - NOTIFICATION_TTL_MS || ms > now + FUTURE_SKEW_MS) return null;
  return { id: m[1] as string, time: new Timestamp(Number(m[2]), Number(m[3])) };
}

/** Whether a document (commit time, id) comes after the cursor. */
function after(c: Cursor, time: Timestamp, id: string): boolean {
  const d = time.seconds - c.time.seconds || time.nanoseconds - c.time.nanoseconds;
  return d > 0 || (d === 0 && c.id !== "" && id > c.id);
}

const byCommit = (a: QueryDocumentSnapshot, b: QueryDocumentSnapshot): number =>
  a.createTime.seconds - b.createTime.seconds ||
  a.createTime.nanoseconds - b.createTime.nanoseconds ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export async function notificationStream(req: Request, res: Response): Promise<void> {
  const creds = await credentials(req, true); // a revoked token opens no stream
  if (isAnswer(creds)) return send(res, creds);
  if (!appCheckPasses(ENFORCE_APP_CHECK.value(), creds.app)) {
    return send(res, refusal(401, "app_check", "A valid App Check token is required."));
  }
  const lastId = req.header("last-event-id") ?? queryString(req.query.last_event_id);
  let cursor = parseCursor(lastId, Date.now());
  if (cursor === null) {
    return send(
      res,
      refusal(
        400,
        "bad_cursor",
        "Last-Event-ID: not an id of this stream, older than the notifications kept (7 days), " +
          "or in the future; reconnect without it.",
      ),
    );
  }
  const asked = Number(queryString(req.query.max_seconds) ?? NaN);
  // Never past the ID token's expiry: the client reconnects with a fresh token.
  const tokenLeft = Math.floor(creds.auth.token.exp - Date.now() / 1000);
  const seconds = Math.max(
    1,
    Math.min(STREAM_SECONDS.value(), asked >= 1 ? Math.floor(asked) : Infinity, tokenLeft),
  );

  res.status(200).set({
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.flushHeaders();
  // A fresh stream starts where it opened, not at its listener's first snapshot: that
  // snapshot can come seconds later (a cold instance, a large lookback) and would hide what
  // was committed in between.
  const opened = Timestamp.now();
  res.write(`: ringback notifications for ${creds.auth.uid}, for ${seconds} s\nretry: 1000\n\n`);

  const since = (cursor?.time.toMillis() ?? Date.now()) - LOOKBACK_MS;
  const query = collections(firestore())
    .notifications(creds.auth.uid)
    .where("created_at", ">=", Timestamp.fromMillis(since))
    .orderBy("created_at");

  await new Promise<void>((resolve) => {
    let open = true;
    const finish = (why: string): void => {
      if (!open) return;
      open = false;
      release();
      unsubscribe();
      clearInterval(keepAlive);
      clearTimeout(deadline);
      if (!res.writableEnded) res.end(`: ${why}\n\n`);
      resolve();
    };
    const release = takeSlot(creds.auth.uid, STREAMS_PER_USER.value(), finish);
    const unsubscribe = query.onSnapshot(
      (snap) => {
        if (!open) return;
        const fresh = cursor === undefined;
        const from: Cursor = cursor ?? { time: opened, id: "" };
        const added = snap
          .docChanges()
          .filter((ch) => ch.type === "added" && after(from, ch.doc.createTime, ch.doc.id))
          .map((ch) => ch.doc)
          .sort(byCommit);
        let out = "";
        for (const doc of added) {
          cursor = { time: doc.createTime, id: doc.id };
          const path = String(doc.get("path"));
          out += `id: ${eventIdOf(cursor)}\nevent: ${path}\ndata: ${JSON.stringify(doc.get("body"))}\n\n`;
        }
        if (fresh && added.length === 0) {
          cursor = from;
          out += `id: ${eventIdOf(from)}\n\n`;
        }
        if (out) res.write(out);
      },
      () => finish("the listener failed; reconnect to resume"),
    );
    // A comment line this often keeps proxies and clients from timing an idle stream out.
    const keepAlive = setInterval(
      () => res.write(": keep-alive\n\n"),
      STREAM_KEEPALIVE_SECONDS.value() * 1000,
    );
    const deadline = setTimeout(() => finish("stream time is up; reconnect"), seconds * 1000);
    res.on("close", () => finish("closed"));
  });
}

function queryString(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * One Firestore transaction's read→decide→write: reads calls and user docs (each at most
 * once), collects the core's outcomes, and on commit derives the `users/{uid}` docs and
 * writes calls, user docs and notifications together, so a state and its notification
 * never disagree. Every Firestore read and write of a command goes through here.
 */
import {
  Timestamp,
  type DocumentReference,
  type DocumentSnapshot,
  type Transaction,
} from "firebase-admin/firestore";
import type { Outcome } from "../../core/draft.js";
import type { Channel, Delivery } from "../../channels/channel.js";
import type { RegisteredDevice } from "../calls/devices.js";
import { deliveriesOf } from "../../channels/deliver.js";
import { affectedUsers, impliedUserDoc, reconcileUser } from "../../core/projection.js";
import type { Bucket } from "../../core/rateLimit.js";
import type { Call, UserDoc } from "../../core/types.js";
import type { RingLog, ScreenFacts } from "../../core/screening.js";
import { parseUserFields, storedBucket, storedRingLog } from "../../model/documents.js";
import { InvariantError } from "../../core/errors.js";
import {
  eventId,
  mergeCall,
  notificationDoc,
  parsePrivate,
  parseShared,
  READ_MASK,
  splitCall,
  USER_WRITE,
  type Collections,
} from "./firestore.js";

/** Whom a start or invitation rings, to screen: the blocks of `callees` against `actor`. */
export interface ScreenRead {
  actor: string;
  callees: readonly string[];
  /** Read the callees' ring logs too (a ring limit is on). */
  logs: boolean;
}

export class UnitOfWork {
  private readonly users = new Map<string, UserDoc | undefined>();
  /** Each call's private part as read (JSON), so that it is written only when it changed. */
  private readonly privates = new Map<string, string>();
  private readonly staged: { before: Call | undefined; outcome: Outcome }[] = [];

  constructor(
    private readonly tx: Transaction,
    private readonly col: Collections,
    readonly now: number,
    /** The post-commit channels on (channels/index.ts): the effects no channel carries are dropped. */
    private readonly channels: readonly Channel[] = [],
    /** Whether this request sends inline after the commit (Carrier.inline): see knowDevices. */
    private readonly sendsInline = false,
  ) {}

  /** A call's shared doc and its private part, as two refs of one getAll. */
  private callRefs(callId: string): DocumentReference[] {
    // Read without the converter: callOf parses both (a mixed getAll loses the types).
    return [this.col.calls.doc(callId).withConverter(null), this.col.callPrivate(callId)];
  }

  /** The call from the snapshots of its two refs (see callRefs); both are parsed. */
  private callOf(shared: DocumentSnapshot, priv: DocumentSnapshot): Call | undefined {
    const call = parseShared(shared);
    if (!call) return undefined;
    const p = parsePrivate(priv);
    if (p) this.privates.set(call.call_id, canonical(p));
    return mergeCall(call, p);
  }

  /** Reads several calls in one round trip; missing ones are left out of the map. */
  async readCalls(callIds: readonly string[]): Promise<Map<string, Call>> {
    const out = new Map<string, Call>();
    if (callIds.length === 0) return out;
    const snaps = await this.tx.getAll(...callIds.flatMap((id) => this.callRefs(id)), {
      fieldMask: [...READ_MASK],
    });
    callIds.forEach((id, i) => {
      const call = this.callOf(
        snaps[2 * i] as DocumentSnapshot,
        snaps[2 * i + 1] as DocumentSnapshot,
      );
      if (call) out.set(id, call);
    });
    return out;
  }

  /** The caller's startCall rate-limit bucket, read by readCallAndUsers (`bucketOf`). */
  bucket: Bucket | undefined;

  /**
   * Charges the caller's bucket: written with the rest in stageWrites, after every read (a
   * Firestore transaction reads before it writes), and so even when the decision refuses.
   */
  writeBucket(uid: string, b: Bucket): void {
    this.pending.set(`bucket/${uid}`, () =>
      this.tx.set(this.col.rateLimits.doc(uid), {
        tokens: b.tokens,
        updated_at: Timestamp.fromMillis(b.updated_at),
      }),
    );
  }

  /** Writes that wait for stageWrites (see writeBucket), by what they write. */
  private readonly pending = new Map<string, () => void>();

  /** Reads the user docs not read yet, in one round trip. */
  async readUsers(uids: readonly string[]): Promise<void> {
    await this.readCallAndUsers(undefined, uids);
  }

  /**
   * Reads a call (when `callId` is given), the user docs not read yet and, with `screen`,
   * whether each callee blocked the actor and their ring log (screening.ts), in one round
   * trip: one block doc per callee, and one log per callee only while a ring limit is on.
   */
  async readCallAndUsers(
    callId: string | undefined,
    uids: readonly string[],
    screen?: ScreenRead,
    /** Whose startCall bucket to read too (`bucket`). */
    bucketOf?: string,
  ): Promise<Call | undefined> {
    const missing = [...new Set(uids)].filter((u) => !this.users.has(u));
    const callRefs = callId === undefined ? [] : this.callRefs(callId);
    const callees = screen ? [...new Set(screen.callees)] : [];
    const blockRefs = callees.map((c) => this.col.blocked(c).doc(screen?.actor ?? ""));
    const logRefs = screen?.logs ? callees.map((c) => this.col.ringLogs.doc(c)) : [];
    const bucketRefs = bucketOf === undefined ? [] : [this.col.rateLimits.doc(bucketOf)];
    if (missing.length + callRefs.length + blockRefs.length + bucketRefs.length === 0) {
      return undefined;
    }
    const userRefs = missing.map((u) => this.col.users.doc(u).withConverter(null));
    // One getAll over every kind, told apart by position. One: a transaction's reads made side
    // by side still go one after the other until its first read has begun it.
    const refs = [...callRefs, ...userRefs, ...blockRefs, ...logRefs, ...bucketRefs];
    const snaps = await this.tx.getAll(...refs, { fieldMask: [...READ_MASK] });
    if (bucketOf !== undefined) {
      const d = storedBucket.safeParse(snaps[snaps.length - 1]?.data());
      this.bucket = d.success ? d.data : undefined; // a malformed one reads as none: a full bucket
    }
    let at = callRefs.length;
    const users = snaps.slice(at, (at += userRefs.length));
    users.forEach((s, i) =>
      this.users.set(missing[i] as string, s.exists ? parseUserFields(s.data()) : undefined),
    );
    const blocks = snaps.slice(at, (at += blockRefs.length));
    const logs = snaps.slice(at, at + logRefs.length);
    // Only a read that screens replaces the facts (stageWrites' own reads must not clear them).
    if (screen) {
      this.screenFacts = {
        blocked: new Set(callees.filter((_, i) => blocks[i]?.exists)),
        logs: new Map(
          logs.map((snap, i) => {
            const log = storedRingLog.safeParse(snap.data());
            return [callees[i] as string, log.success ? log.data : undefined]; // bad: none
          }),
        ),
      };
    }
    return callRefs.length
      ? this.callOf(snaps[0] as DocumentSnapshot, snaps[1] as DocumentSnapshot)
      : undefined;
  }

  /** Users' registered devices, as the request read them before the transaction (Known). */
  private readonly devices = new Map<string, readonly RegisteredDevice[]>();

  /**
   * Hands the outboxes the devices the request already read (adapters/calls/callees.ts), so
   * a ring job is committed claimed for this request's inline send; kept out when it sends
   * nothing inline, since a row claimed for nobody would wait out its lease.
   */
  knowDevices(devices: ReadonlyMap<string, readonly RegisteredDevice[]> | undefined): void {
    if (!this.sendsInline) return;
    for (const [uid, list] of devices ?? []) this.devices.set(uid, list);
  }

  /** What readCallAndUsers found out about its `screen` (empty before or without one). */
  screenFacts: ScreenFacts = { blocked: new Set(), logs: new Map() };

  /** Records the delivered invitations of a callee's last minute (the ring limits). */
  writeRingLog(callee: string, log: RingLog): void {
    this.pending.set(`rings/${callee}`, () =>
      this.tx.set(this.col.ringLogs.doc(callee), { rings: log.rings }),
    );
  }

  user(uid: string): UserDoc | undefined {
    return this.users.get(uid);
  }

  /** Treats a user doc as idle: it points at a call that no longer exists. */
  forgetDangling(uid: string): void {
    const doc = this.users.get(uid);
    if (doc) this.users.set(uid, { ...doc, status: "idle", call_id: null, incoming: null });
  }

  /** Queues an outcome; `before` is the call as read (undefined for a new call). */
  stage(before: Call | undefined, outcome: Outcome): void {
    if (outcome.changed) this.staged.push({ before, outcome });
    this.decided = undefined;
  }

  /** What must happen once this unit has committed, by which channel, in the order decided. */
  deliveries(): Delivery[] {
    this.decided ??= deliveriesOf(
      this.staged.flatMap(({ outcome }) => outcome.effects),
      this.channels,
    );
    return this.decided;
  }

  /** The deliveries, once staged: the same objects every time (transaction.ts keys on them). */
  private decided: Delivery[] | undefined;

  /** The notifications this unit writes, in order: who is told what, about which call. */
  notified(): { call_id: string; to: string; path: string }[] {
    return this.staged.flatMap(({ outcome }) =>
      outcome.notices.map((n) => ({ call_id: outcome.call.call_id, to: n.to, path: n.path })),
    );
  }

  /** Stages every write of this unit; the transaction commits them when the decision returns. */
  async stageWrites(): Promise<void> {
    const affected = this.staged.map(({ before, outcome }) => affectedUsers(before, outcome.call));
    // A user the call held busy has the doc the call implies; only the others are read.
    this.staged.forEach(({ before }, i) => {
      for (const uid of affected[i] ?? []) {
        const implied = before && !this.users.has(uid) ? impliedUserDoc(before, uid) : undefined;
        if (implied) this.users.set(uid, implied);
      }
    });
    await this.readUsers(affected.flat());
    const dirty = new Set<string>();
    this.staged.forEach(({ outcome }, i) => {
      for (const uid of affected[i] ?? []) {
        const next = reconcileUser(this.users.get(uid), outcome.call, uid, this.now);
        if (next) {
          this.users.set(uid, next);
          dirty.add(uid);
        }
      }
    });
    for (const { outcome } of this.staged) {
      const { call, notices } = outcome;
      const { shared, priv } = splitCall(call);
      this.tx.set(this.col.calls.doc(call.call_id), shared);
      const privJson = canonical(priv);
      if (this.privates.get(call.call_id) !== privJson) {
        this.tx.set(this.col.callPrivate(call.call_id), priv);
        this.privates.set(call.call_id, privJson);
      }
      notices.forEach((n, i) => {
        const id = eventId(call.call_id, call.version, i);
        this.tx.set(
          this.col.notifications(n.to).doc(id),
          notificationDoc(n, call.call_id, call.version, i, this.now),
        );
      });
    }
    for (const uid of dirty) {
      const doc = this.users.get(uid);
      if (!doc) throw new InvariantError(`user ${uid} changed but has no doc to write`);
      this.tx.set(this.col.users.doc(uid), doc, USER_WRITE);
    }
    for (const write of this.pending.values()) write();
    this.pending.clear();
    // Each channel's outbox rows, in the same transaction (channels/outbox.ts).
    const db = this.col.calls.firestore;
    const known = { devices: this.devices };
    for (const { channel, effect } of this.deliveries()) {
      const carrier = await channel.load();
      for (const [ref, doc] of carrier.outbox?.(db, effect, known) ?? []) this.tx.set(ref, doc);
    }
  }
}

/** JSON with sorted keys and no undefined values: equal data, equal text, as stored or not. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

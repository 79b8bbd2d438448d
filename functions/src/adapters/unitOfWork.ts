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
import type { Outcome } from "../core/draft.js";
import type { Effect } from "../core/effects.js";
import { affectedUsers, impliedUserDoc, reconcileUser } from "../core/projection.js";
import type { Bucket } from "../core/rateLimit.js";
import type { Call, UserDoc } from "../core/types.js";
import { eventId, notificationDoc, type Collections } from "./firestore.js";
import { outboxDoc } from "./webhookOutbox.js";

export class UnitOfWork {
  private readonly users = new Map<string, UserDoc | undefined>();
  private readonly staged: { before: Call | undefined; outcome: Outcome }[] = [];

  constructor(
    private readonly tx: Transaction,
    private readonly col: Collections,
    readonly now: number,
    /** Whether callback events go to the webhook outbox (webhooks on); else they are dropped. */
    private readonly outbox = false,
  ) {}

  async readCall(callId: string): Promise<Call | undefined> {
    const snap = await this.tx.get(this.col.calls.doc(callId));
    return snap.data();
  }

  /** Reads several calls in one round trip; missing ones are left out of the map. */
  async readCalls(callIds: readonly string[]): Promise<Map<string, Call>> {
    const out = new Map<string, Call>();
    if (callIds.length === 0) return out;
    const snaps = await this.tx.getAll(...callIds.map((id) => this.col.calls.doc(id)));
    for (const s of snaps) {
      const call = s.data();
      if (call) out.set(s.id, call);
    }
    return out;
  }

  /** The caller's startCall rate-limit bucket (`rate_limits/{uid}`). */
  async readBucket(uid: string): Promise<Bucket | undefined> {
    const snap = await this.tx.get(this.col.rateLimits.doc(uid));
    const d = snap.data();
    return d
      ? { tokens: d.tokens as number, updated_at: (d.updated_at as Timestamp).toMillis() }
      : undefined;
  }

  writeBucket(uid: string, b: Bucket): void {
    this.tx.set(this.col.rateLimits.doc(uid), {
      tokens: b.tokens,
      updated_at: Timestamp.fromMillis(b.updated_at),
    });
  }

  /** Reads the user docs not read yet, in one round trip. */
  async readUsers(uids: readonly string[]): Promise<void> {
    await this.readCallAndUsers(undefined, uids);
  }

  /** Reads a call (when `callId` is given) and the user docs not read yet, in one round trip. */
  async readCallAndUsers(
    callId: string | undefined,
    uids: readonly string[],
  ): Promise<Call | undefined> {
    const missing = [...new Set(uids)].filter((u) => !this.users.has(u));
    const callRefs = callId === undefined ? [] : [this.col.calls.doc(callId)];
    if (missing.length + callRefs.length === 0) return undefined;
    const userRefs = missing.map((u) => this.col.users.doc(u));
    // One getAll over both kinds: the snapshots are told apart by position.
    const refs = [...callRefs, ...userRefs] as DocumentReference[];
    const snaps = await this.tx.getAll(...refs);
    const users = snaps.slice(callRefs.length) as DocumentSnapshot<UserDoc>[];
    users.forEach((s, i) => this.users.set(missing[i] as string, s.data()));
    return callRefs.length ? (snaps[0]?.data() as Call | undefined) : undefined;
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
  }

  /** What must happen once this unit has committed, in the order it was decided. */
  effects(): Effect[] {
    return this.staged
      .flatMap(({ outcome }) => outcome.effects)
      .filter((e) => this.outbox || e.kind !== "callback");
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
      this.tx.set(this.col.calls.doc(call.call_id), call);
      notices.forEach((n, i) => {
        const id = eventId(call.call_id, call.version, i);
        this.tx.set(
          this.col.notifications(n.to).doc(id),
          notificationDoc(n, call.call_id, call.version, i, this.now),
        );
      });
    }
    for (const uid of dirty) {
      this.tx.set(this.col.users.doc(uid), this.users.get(uid) as UserDoc);
    }
    for (const e of this.effects()) {
      if (e.kind === "callback") this.tx.set(this.col.webhookEvents.doc(e.event_id), outboxDoc(e));
    }
  }
}

/**
 * One Firestore transaction's read→decide→write: reads calls and user docs (each at most
 * once), collects the core's outcomes, and on commit derives the `users/{uid}` docs and
 * writes calls, user docs and notifications together, so a state and its notification
 * never disagree. Every Firestore read and write of a command goes through here.
 */
import type { Transaction } from "firebase-admin/firestore";
import { affectedUsers, reconcileUser, type Outcome } from "../core/machine.js";
import type { Call, UserDoc } from "../core/types.js";
import { eventId, notificationDoc, type Collections } from "./firestore.js";

export class UnitOfWork {
  private readonly users = new Map<string, UserDoc | undefined>();
  private readonly staged: { before: Call | undefined; outcome: Outcome }[] = [];

  constructor(
    private readonly tx: Transaction,
    private readonly col: Collections,
    readonly now: number,
  ) {}

  async readCall(callId: string): Promise<Call | undefined> {
    const snap = await this.tx.get(this.col.calls.doc(callId));
    return snap.data();
  }

  /** Reads the user docs not read yet, in one round trip. */
  async readUsers(uids: readonly string[]): Promise<void> {
    const missing = [...new Set(uids)].filter((u) => !this.users.has(u));
    if (missing.length === 0) return;
    const refs = missing.map((u) => this.col.users.doc(u));
    const snaps = await this.tx.getAll(...refs);
    snaps.forEach((s, i) => this.users.set(missing[i] as string, s.data()));
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

  async commit(): Promise<void> {
    const affected = this.staged.map(({ before, outcome }) => affectedUsers(before, outcome.call));
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
  }
}

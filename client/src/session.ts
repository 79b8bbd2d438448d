/**
 * One signed-in user's live connection: listens to `users/{uid}`, the notifications and the
 * current call; derives the state; delivers each notification once, in order; runs the
 * heartbeat and the receipt ack; resubscribes with backoff after a listener error. Firebase
 * stays behind `Source` and the two command functions, so all of this is unit-tested.
 */
import { Backoff, type BackoffOptions } from "./backoff.js";
import type { Clock } from "./clock.js";
import type { Emitter } from "./emitter.js";
import { toRingbackError } from "./errors.js";
import { parseNotification, type RingbackEvents } from "./events.js";
import { Heartbeat } from "./heartbeat.js";
import { Inbox } from "./inbox.js";
import type { RawDoc, Source, Unsubscribe } from "./source.js";
import {
  SIGNED_OUT,
  aloneIn,
  currentCallId,
  heartbeatTarget,
  isOver,
  isThisDevice,
  needsAck,
  readCallDoc,
  readUserDoc,
  type RingbackState,
} from "./state.js";
import type { CallView, NotificationDoc, UserDocView } from "./types.js";

export interface SessionDeps {
  uid: string;
  /** This session's device: only the active device heartbeats. */
  deviceId?: string;
  source: Source;
  clock: Clock;
  heartbeat: (callId: string) => Promise<unknown>;
  ack: (callId: string) => Promise<unknown>;
  events: Emitter<RingbackEvents>;
  backoff?: BackoffOptions;
}

interface WatchedCall {
  unsubscribe: Unsubscribe;
  view: CallView | null;
}

export class Session {
  private state: RingbackState;
  private user: UserDocView | null = null;
  private notesReady = false;
  private firstNotes: NotificationDoc[] = [];
  private listeners: Unsubscribe[] = [];
  private readonly calls = new Map<string, WatchedCall>();
  private readonly inbox = new Inbox();
  private readonly beat: Heartbeat;
  private readonly backoff: Backoff;
  private readonly acked = new Set<string>();
  /** Users the server timed out (notify_timeout), for `alone`'s reasons. */
  private readonly timedOut = new Set<string>();
  /** Calls already told `answeredElsewhere`. */
  private readonly elsewhere = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastEmitted = "";

  constructor(private readonly deps: SessionDeps) {
    this.state = { ...SIGNED_OUT, uid: deps.uid };
    this.beat = new Heartbeat(deps.clock, deps.heartbeat, (err) => this.report("heartbeat", err));
    this.backoff = new Backoff(deps.clock, deps.backoff);
  }

  get current(): RingbackState {
    return this.state;
  }

  start(): void {
    this.subscribe();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribeAll();
    this.beat.stop();
    this.backoff.cancel();
  }

  /** Back online or visible again: retry a waiting resubscription now, beat if overdue. */
  resync(): void {
    if (this.stopped) return;
    this.backoff.now();
    this.beat.poke();
  }

  /**
   * Watches a call this user just started until it is over for them, so that a call that
   * ended at once (every callee busy) still becomes `lastCall`.
   */
  track(callId: string): void {
    if (!this.stopped && this.state.live) this.watchCall(callId);
  }

  /** Resolves once every notification handed over so far has been delivered. */
  drained(): Promise<void> {
    return this.queue;
  }

  private subscribe(): void {
    const { uid, source } = this.deps;
    this.notesReady = false;
    this.user = null;
    const fail = (err: Error) => this.failed(err);
    const after = this.inbox.isPrimed ? this.inbox.resumeAfter() : null;
    this.listeners = [
      source.user(uid, (data, fromCache) => this.onUser(data, fromCache), fail),
      source.notes(uid, after, (added, fromCache) => this.onNotes(added, fromCache), fail),
    ];
  }

  private onUser(data: RawDoc | undefined, fromCache: boolean): void {
    if (this.stopped) return;
    const wasOnline = this.state.online;
    if (!fromCache || this.user) this.user = readUserDoc(data);
    this.state = { ...this.state, online: !fromCache };
    if (this.state.live && !wasOnline && !fromCache) this.beat.poke(); // reconnected
    this.goLive();
    this.update();
  }

  private onNotes(added: NotificationDoc[], fromCache: boolean): void {
    if (this.stopped) return;
    if (this.inbox.isPrimed) {
      if (this.state.live || this.notesReady) this.deliver(this.inbox.take(added));
      else this.firstNotes.push(...added);
      this.notesReady ||= !fromCache;
    } else {
      // Until the server has answered, everything read is history of before the sign-in.
      this.firstNotes.push(...added);
      this.notesReady ||= !fromCache;
    }
    this.goLive();
  }

  /** Live once the server's first answers for both listeners are in. */
  private goLive(): void {
    if (this.state.live || !this.user || !this.notesReady) return;
    const user = this.user;
    const first = this.firstNotes.splice(0);
    const ringing = user.status === "ringing" ? user.incoming?.callId : undefined;
    const due = this.inbox.isPrimed
      ? this.inbox.take(first)
      : this.inbox.prime(
          first,
          // The invitation ringing right now is news to the app, even though it came before.
          (n) => n.path === "/call/notify_call_invited" && n.call_id === ringing,
        );
    this.state = { ...this.state, live: true };
    this.backoff.succeeded();
    this.update();
    this.deliver(due);
  }

  private watchCall(id: string): void {
    if (this.calls.has(id)) return;
    const entry: WatchedCall = { unsubscribe: () => {}, view: null };
    this.calls.set(id, entry);
    entry.unsubscribe = this.deps.source.call(
      id,
      (data) => {
        if (this.stopped || this.calls.get(id) !== entry) return;
        const view = data ? readCallDoc(id, data) : null;
        // Once over, accepted users are `quit`: keep when the call connected, as seen live.
        if (view && !view.connectedAt) view.connectedAt = entry.view?.connectedAt ?? null;
        entry.view = view;
        this.update();
      },
      (err) => this.failed(err),
    );
  }

  private update(): void {
    if (this.stopped || !this.user) return;
    const uid = this.deps.uid;
    const callId = this.state.live ? currentCallId(this.user) : null;
    if (callId) this.watchCall(callId);
    let lastCall = this.state.lastCall;
    for (const [id, w] of this.calls) {
      if (id === callId || !w.view) continue;
      // A call left behind is watched until it is over for us: that is the last call.
      if (isOver(w.view, uid)) {
        lastCall = w.view;
        w.unsubscribe();
        this.calls.delete(id);
      }
    }
    const call = (callId && this.calls.get(callId)?.view) || null;
    if (call && call.state === "ended") lastCall = call;
    const here = isThisDevice(this.user, this.deps.deviceId);
    this.state = {
      ...this.state,
      status: this.user.status,
      callId,
      call,
      incoming: this.user.status === "ringing" ? this.user.incoming : null,
      lastCall,
      activeDeviceId: callId ? this.user.deviceId : null,
      isThisDevice: here,
      alone: aloneIn(call, uid, this.timedOut),
    };
    if (callId && !here && this.user.deviceId && !this.elsewhere.has(callId)) {
      this.elsewhere.add(callId);
      this.deps.events.emit("answeredElsewhere", { callId, deviceId: this.user.deviceId });
    }
    this.beat.set(heartbeatTarget(this.state));
    const ack = needsAck(this.state);
    if (ack && !this.acked.has(ack)) {
      this.acked.add(ack);
      this.deps.ack(ack).catch((err: unknown) => this.report("ack", err));
    }
    this.emitState();
  }

  private emitState(): void {
    const sig = JSON.stringify(this.state);
    if (sig === this.lastEmitted) return;
    this.lastEmitted = sig;
    this.deps.events.emit("state", this.state);
  }

  /** Queues delivery: one at a time, so an `ended` that reads its reason keeps its place. */
  private deliver(docs: NotificationDoc[]): void {
    for (const doc of docs) {
      this.queue = this.queue.then(async () => {
        const reason =
          doc.path === "/call/notify_call_end" ? await this.endReason(doc.call_id) : null;
        if (this.stopped) return;
        const { events } = this.deps;
        if (doc.path === "/call/notify_timeout" && typeof doc.body.id === "string") {
          this.timedOut.add(doc.body.id);
          this.update(); // `alone` may now say why they left
        }
        events.emit("notification", doc);
        const parsed = parseNotification(doc, reason);
        if (parsed) events.emit(parsed.name, parsed.event as never);
      });
    }
  }

  private async endReason(callId: string): Promise<CallView["endReason"]> {
    const known = this.calls.get(callId)?.view ?? this.state.lastCall;
    if (known?.id === callId && known.state === "ended") return known.endReason;
    try {
      const data = await this.deps.source.getCall(callId);
      return data ? readCallDoc(callId, data).endReason : null;
    } catch {
      return null;
    }
  }

  private failed(err: Error): void {
    if (this.stopped) return;
    this.unsubscribeAll(); // the heartbeat goes on: we are still in the call meanwhile
    this.state = { ...this.state, live: false };
    this.emitState();
    const retryInMs = this.backoff.failed(() => this.subscribe());
    this.deps.events.emit("error", { source: "listener", error: err, retryInMs });
  }

  private report(source: "heartbeat" | "ack", err: unknown): void {
    if (!this.stopped) this.deps.events.emit("error", { source, error: toRingbackError(err) });
  }

  private unsubscribeAll(): void {
    this.listeners.splice(0).forEach((u) => u());
    for (const w of this.calls.values()) w.unsubscribe();
    this.calls.clear();
    this.firstNotes = [];
  }
}

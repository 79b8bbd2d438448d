/** Fakes for the SDK's pure logic: a document source driven by hand, and note/doc builders. */
import { vi } from "vitest";
import type { Clock } from "../../../client/src/clock.js";
import type { RawDoc, Source } from "../../../client/src/source.js";
import type { NotificationDoc } from "../../../client/src/types.js";

type Listener<A extends unknown[]> = { next: (...a: A) => void; fail: (e: Error) => void };

/** A Source whose snapshots the test pushes; counts subscriptions and what they asked for. */
export class FakeSource implements Source {
  users: Listener<[RawDoc | undefined, boolean]>[] = [];
  noteListeners: (Listener<[NotificationDoc[], boolean]> & { after: number | null })[] = [];
  callListeners = new Map<string, Listener<[RawDoc | undefined]>>();
  calls = new Map<string, RawDoc>();

  user(uid: string, next: (d: RawDoc | undefined, c: boolean) => void, fail: (e: Error) => void) {
    const l = { next, fail };
    this.users.push(l);
    return () => void (this.users = this.users.filter((x) => x !== l));
  }
  notes(
    uid: string,
    after: number | null,
    next: (a: NotificationDoc[], c: boolean) => void,
    fail: (e: Error) => void,
  ) {
    const l = { next, fail, after };
    this.noteListeners.push(l);
    return () => void (this.noteListeners = this.noteListeners.filter((x) => x !== l));
  }
  call(id: string, next: (d: RawDoc | undefined) => void, fail: (e: Error) => void) {
    this.callListeners.set(id, { next, fail });
    const data = this.calls.get(id);
    if (data) queueMicrotask(() => this.callListeners.get(id)?.next(data));
    return () => void this.callListeners.delete(id);
  }
  getCall = vi.fn(async (id: string) => this.calls.get(id));

  pushUser(d: RawDoc | undefined, fromCache = false): void {
    this.users.forEach((l) => l.next(d, fromCache));
  }
  pushNotes(docs: NotificationDoc[], fromCache = false): void {
    this.noteListeners.forEach((l) => l.next(docs, fromCache));
  }
  setCall(id: string, d: RawDoc): void {
    this.calls.set(id, d);
    this.callListeners.get(id)?.next(d);
  }
  failAll(): void {
    this.users[0]?.fail(new Error("permission-denied (fake)"));
  }
}

/** Clock over vitest's fake timers. */
export const fakeClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

let n = 0;
export function note(
  path: string,
  call_id: string,
  seq: number,
  body: Record<string, unknown> = {},
  created_at = Date.now(),
): NotificationDoc {
  return { id: `${call_id}-${seq}-${++n}`, path: `/call/${path}`, body, call_id, seq, created_at };
}

export function callDoc(id: string, over: Partial<RawDoc> = {}, users: RawDoc = {}): RawDoc {
  return {
    call_id: id,
    caller: { id: "alice", name: "Alice" },
    type: 2,
    mode: "common",
    state: "ringing",
    users: {
      alice: { id: "alice", name: "Alice", state: "accepted" },
      bob: { id: "bob", name: "Bob", state: "inviting" },
      ...users,
    },
    user_ids: ["alice", "bob", ...Object.keys(users)],
    extended_data: "",
    timeout: 60,
    heartbeat_interval: 20,
    not_received_check: false,
    ...over,
  };
}

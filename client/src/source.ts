/**
 * Where the session reads documents from: Firestore in the SDK (firestoreSource.ts), a fake
 * in the unit tests. Listeners report `fromCache` so the session knows when data is the
 * server's (first snapshots, reconnects).
 */
import type { NotificationDoc } from "./types.js";

export type RawDoc = Record<string, unknown>;
export type Unsubscribe = () => void;

export interface Source {
  /** `users/{uid}`; `data` undefined when there is no doc. */
  user(
    uid: string,
    next: (data: RawDoc | undefined, fromCache: boolean) => void,
    fail: (err: Error) => void,
  ): Unsubscribe;
  /**
   * `users/{uid}/notifications`, reporting added docs only. `after` (epoch ms): only docs
   * created at or after it; null: the most recent ones.
   */
  notes(
    uid: string,
    after: number | null,
    next: (added: NotificationDoc[], fromCache: boolean) => void,
    fail: (err: Error) => void,
  ): Unsubscribe;
  /** `calls/{callId}`. */
  call(
    callId: string,
    next: (data: RawDoc | undefined) => void,
    fail: (err: Error) => void,
  ): Unsubscribe;
  /** One read of `calls/{callId}`. */
  getCall(callId: string): Promise<RawDoc | undefined>;
}

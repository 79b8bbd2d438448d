import type { CallbackEvent } from "./callbacks.js";
import type { PushJob } from "./push.js";

/**
 * Post-commit effects: what must happen because a state change committed, decided by the
 * core with the change and carried out by the adapters after the commit
 * (docs/protocol.md#after-a-change-commits). Each kind has exactly one handler there; adding
 * a kind here makes the compiler ask for it.
 */
export type Effect =
  /** Enqueue the call's deadline task for `at` (the call's `task_at` records it). */
  | { kind: "schedule_deadline"; call_id: string; at: number }
  /** The pending deadline task for `at` is no longer needed: the call ended. */
  | { kind: "cancel_deadline"; call_id: string; at: number }
  /**
   * Tell the app's backend (webhooks): recorded in the change's transaction (an outbox entry,
   * when webhooks are on) and delivered from a task queue after it. `event_id` is stable
   * across retries; `seq` orders the events of one call; `at` is the change's time.
   */
  | { kind: "callback"; event_id: string; seq: number; at: number; event: CallbackEvent }
  /**
   * Ring or stop ringing users' devices (offline push): the change's push jobs, one per user
   * and type, recorded in the change's transaction (when pushes are on) and sent together by
   * one task after it, at most once per device. `at` is the change's time.
   */
  | { kind: "push"; at: number; jobs: PushJob[] };

export type EffectKind = Effect["kind"];

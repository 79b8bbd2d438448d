/**
 * A post-commit channel (docs/protocol.md#channels): one way a committed change reaches the
 * world after its transaction (deadline tasks, webhooks, push, Eventarc). Each folder of
 * channels/ exports one `Channel`; the registry (index.ts) lists them, and everything that
 * records, delivers, backstops or deploys a channel reads it from there.
 *
 * What a channel carries is an effect the pure core decides (core/effects.ts): the deadline
 * task in core/draft.ts `finish` (core/schedule.ts), every other kind by its entry of
 * core/derivations.ts (core/callbacks.ts, core/push.ts).
 * Several channels may carry the same effect (webhooks and Eventarc both carry `callback`).
 */
import type { DocumentReference, Firestore } from "firebase-admin/firestore";
import type { Request, TaskQueueOptions } from "firebase-functions/v2/tasks";
import type { Effect, EffectKind } from "../core/effects.js";
import type { Ctx } from "../adapters/context.js";
import type { RegisteredDevice } from "../adapters/calls/devices.js";

export type EffectOf<K extends EffectKind> = Extract<Effect, { kind: K }>;

/** What the request read before its transaction that an outbox may use (Channel.usesDevices). */
export interface Known {
  /** Users' registered devices, by uid: only those the request looked up. */
  devices: ReadonlyMap<string, readonly RegisteredDevice[]>;
}

/**
 * What a channel does at run time. Loaded on its first use (a transaction, a delivery, the
 * sweep), never when the functions are defined: a cold start stays light (coldStart.test.ts).
 */
export interface Carrier<K extends EffectKind = EffectKind> {
  /**
   * The outbox rows an effect writes in the change's own transaction (channels/outbox.ts):
   * a rolled-back change sends nothing, a function that dies after the commit loses nothing.
   */
  outbox?(
    db: Firestore,
    effect: EffectOf<K>,
    known?: Known,
  ): [ref: DocumentReference, doc: object][];
  /** Carries the effect out after the commit (enqueues its task, or delivers it); throws to be retried. */
  deliver(db: Firestore, effect: EffectOf<K>): Promise<void>;
  /**
   * A first delivery from the request itself, right after the commit and beside `deliver`,
   * bounded by a budget: what `deliver` enqueued stays as its retry. Never throws.
   */
  inline?(db: Firestore, effect: EffectOf<K>): Promise<void>;
  /** Records an effect given up on after the retries, so that its backstop takes it up promptly. */
  undelivered?(db: Firestore, effect: EffectOf<K>): Promise<void>;
  /** Run by the sweep: carries out again what was recorded and never carried out. Answers how many. */
  backstop?(ctx: Ctx, opts?: { now?: number; limit?: number }): Promise<number>;
}

/** A task function: index.ts exports it as `fn`, extension.yaml declares it (packaging.test.ts). */
export interface ChannelTask {
  fn: string;
  /**
   * Every function the task is deployed as, when it runs on several queues (`fn` first):
   * the deadline, webhook and push tasks, spread over queues by call shard (channels/queues.ts).
   */
  fns?: readonly string[];
  queue: TaskQueueOptions;
  /** The handler, loaded on the function's first request. */
  load(): Promise<(req: Request<unknown>) => Promise<void>>;
}

export interface Channel<K extends EffectKind = EffectKind> {
  /** Its folder's name, and its key in `Ctx.channels`. */
  readonly name: string;
  /** The core effects it carries. */
  readonly effects: readonly K[];
  /** Whether a context records and carries it (tests switch it; deployed: `deployed()`). */
  on(ctx: Ctx): boolean;
  /** Its switch in a deployed function, read from its params at call time. */
  deployed(): boolean;
  /**
   * Whether its outbox uses the callees' registered devices, when the request read them
   * before its transaction (adapters/calls/callees.ts; `Known`).
   */
  readonly usesDevices?: boolean;
  /** Whether the first delivery attempt may start while the commit is in flight (transaction.ts). */
  early?(effect: EffectOf<K>, now: number): boolean;
  /** Its task function, when it has one. */
  readonly task?: ChannelTask;
  /** The params it reads (declared in functions/src/params/, listed in extension.yaml). */
  readonly params: readonly { name: string }[];
  load(): Promise<Carrier<K>>;
}

/** One channel to carry one effect: what deliverEffects retries, and what a backstop redelivers. */
export interface Delivery {
  channel: Channel;
  effect: Effect;
}

/**
 * Types a channel for the registry: its handlers see only its own effects, which is all the
 * registry ever hands them (`carries`).
 */
export const defineChannel = <K extends EffectKind>(c: Channel<K>): Channel =>
  c as unknown as Channel;

/** Whether `channel` carries `effect`. */
export const carries = (channel: Channel, effect: Effect): boolean =>
  channel.effects.includes(effect.kind);

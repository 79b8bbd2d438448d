/**
 * Carries out the core's post-commit effects, after the transaction that decided them has
 * committed: each by every channel on that carries it (channels/index.ts), a failure tried
 * twice more (0.1 s and 0.4 s later), then logged and recorded by the channel's `undelivered`
 * for its backstop (docs/protocol.md#deadline-tasks-and-the-sweep).
 */
import type { Firestore } from "firebase-admin/firestore";
import type { Effect } from "../core/effects.js";
import { logs } from "../adapters/logs.js";
import type { Delivery } from "./channel.js";

export interface EffectHandlers {
  /** Carries out one effect by one channel. */
  deliver(d: Delivery): Promise<void>;
  /** Records an effect given up on, so that its backstop takes it up promptly. */
  undelivered?(d: Delivery): Promise<void>;
  /** A first delivery from the request itself, when its channel has one (Carrier.inline). */
  inline?(d: Delivery): Promise<void>;
}

/** The channels' own handlers (their carriers), on database `db`: a deployed function's. */
export function channelEffects(db: Firestore): EffectHandlers {
  return {
    deliver: async ({ channel, effect }) => (await channel.load()).deliver(db, effect),
    undelivered: async ({ channel, effect }) => (await channel.load()).undelivered?.(db, effect),
    inline: async ({ channel, effect }) => (await channel.load()).inline?.(db, effect),
  };
}

/**
 * The inline deliveries of a committed change (each channel's `inline`, bounded by its own
 * budget), side by side with deliverEffects: a failure is logged, never the command's.
 */
export async function inlineEffects(
  handlers: EffectHandlers | undefined,
  deliveries: readonly Delivery[],
): Promise<void> {
  const inline = handlers?.inline;
  if (!inline) return;
  await Promise.all(
    deliveries.map((d) => inline(d).catch((e) => logs.effectFailed(d.effect, e, d.channel.name))),
  );
}

/** Pauses before the second and third attempt: a blip is retried, an outage is recorded. */
const RETRY_AFTER_MS = [100, 400];

/** First attempts already under way (started beside the commit), by delivery. */
export type Early = ReadonlyMap<Delivery, Promise<void>>;

export async function deliverEffects(
  handlers: EffectHandlers | undefined,
  deliveries: readonly Delivery[],
  early: Early = new Map(),
): Promise<void> {
  if (!handlers || deliveries.length === 0) return;
  await Promise.all(
    deliveries.map(async (d) => {
      for (let attempt = 0; ; attempt++) {
        try {
          const started = attempt === 0 ? early.get(d) : undefined;
          return await (started ?? handlers.deliver(d));
        } catch (e) {
          const pause = RETRY_AFTER_MS[attempt];
          if (pause === undefined) {
            logs.effectFailed(d.effect, e, d.channel.name);
            return await handlers
              .undelivered?.(d)
              .catch((e2) => logs.effectFailed(d.effect, e2, d.channel.name));
          }
          await new Promise((r) => setTimeout(r, pause));
        }
      }
    }),
  );
}

/** The deliveries of `effects`: each effect once for every channel in `on` that carries it. */
export function deliveriesOf(
  effects: readonly Effect[],
  on: readonly Delivery["channel"][],
): Delivery[] {
  return effects.flatMap((effect) =>
    on.filter((c) => c.effects.includes(effect.kind)).map((channel) => ({ channel, effect })),
  );
}

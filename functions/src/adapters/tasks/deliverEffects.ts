/**
 * Carries out the core's post-commit effects, after the transaction that decided them has
 * committed: each kind by its one handler, a failure tried twice more (0.1 s and 0.4 s later),
 * then logged and recorded by `undelivered` for its backstop
 * (docs/protocol.md#deadline-tasks-and-the-sweep): a deadline task that could not be enqueued
 * is taken off the call (`task_at` null), so the next command or sweep enqueues it at once.
 */
import type { Effect, EffectKind } from "../../core/effects.js";
import { logs } from "../logs.js";

export type EffectHandlers = {
  [K in EffectKind]: (effect: Extract<Effect, { kind: K }>) => Promise<void>;
} & {
  /** Records an effect given up on, so that its backstop takes it up promptly. */
  undelivered?: (effect: Effect) => Promise<void>;
};

/** Pauses before the second and third attempt: a blip is retried, an outage is recorded. */
const RETRY_AFTER_MS = [100, 400];

/** First attempts already under way (started beside the commit), by effect. */
export type Early = ReadonlyMap<Effect, Promise<void>>;

export async function deliverEffects(
  handlers: EffectHandlers | undefined,
  effects: readonly Effect[],
  early: Early = new Map(),
): Promise<void> {
  if (!handlers || effects.length === 0) return;
  await Promise.all(
    effects.map(async (effect) => {
      const handle = handlers[effect.kind] as (e: Effect) => Promise<void>;
      for (let attempt = 0; ; attempt++) {
        try {
          const started = attempt === 0 ? early.get(effect) : undefined;
          return await (started ?? handle(effect));
        } catch (e) {
          const pause = RETRY_AFTER_MS[attempt];
          if (pause === undefined) {
            logs.effectFailed(effect, e);
            return await handlers
              .undelivered?.(effect)
              .catch((e2) => logs.effectFailed(effect, e2));
          }
          await new Promise((r) => setTimeout(r, pause));
        }
      }
    }),
  );
}

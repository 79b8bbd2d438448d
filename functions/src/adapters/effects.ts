/**
 * Carries out the core's post-commit effects, after the transaction that decided them has
 * committed: each kind by its one handler, a failure tried once more, then logged. Every
 * effect has a backstop that needs no delivery: a deadline is in the call's
 * `next_deadline_at`, which the sweep reads.
 */
import type { Effect, EffectKind } from "../core/effects.js";
import { logs } from "./logs.js";

export type EffectHandlers = {
  [K in EffectKind]: (effect: Extract<Effect, { kind: K }>) => Promise<void>;
};

const ATTEMPTS = 2;
const RETRY_AFTER_MS = 100;

export async function deliverEffects(
  handlers: EffectHandlers | undefined,
  effects: readonly Effect[],
): Promise<void> {
  if (!handlers || effects.length === 0) return;
  await Promise.all(
    effects.map(async (effect) => {
      const handle = handlers[effect.kind] as (e: Effect) => Promise<void>;
      for (let attempt = 1; ; attempt++) {
        try {
          return await handle(effect);
        } catch (e) {
          if (attempt >= ATTEMPTS) return logs.effectFailed(effect, e);
          await new Promise((r) => setTimeout(r, RETRY_AFTER_MS));
        }
      }
    }),
  );
}

/**
 * The effects a committed change hands to the post-commit channels besides its deadline
 * task (which `Draft.finish` decides with the call's own `task_at`): one derivation per
 * effect kind, each pure. The channels (functions/src/channels/) carry them; a channel with
 * an effect of its own adds its derivation here, and its kind to core/effects.ts.
 */
import { callbackEvents, type Change } from "./callbacks.js";
import type { Effect, EffectKind } from "./effects.js";
import { pushJobs } from "./push.js";
import type { Call } from "./types.js";

/** A change as `finish` seals it: the call before and after, its moves, and its time. */
export interface Sealed extends Change {
  before: Call | undefined;
  /** The call as it will be written (its `version` already moved, when a derivation moves it). */
  call: Call;
  now: number;
}

export interface Derivation {
  kind: EffectKind;
  /**
   * Its effects are numbered by the call's version (stable ids across retries): a change
   * with any of them moves the version, and they see the moved one.
   */
  versioned: boolean;
  derive(s: Sealed): Effect[];
}

/** Callbacks (webhooks, Eventarc): each event numbered by the version and its place. */
const callbacks: Derivation = {
  kind: "callback",
  versioned: true,
  derive: (s) =>
    callbackEvents(s.before, s.call, s).map((event, i) => ({
      kind: "callback",
      event_id: `${s.call.call_id}-${s.call.version}-cb${i}`,
      seq: s.call.version * 1000 + i,
      at: s.now,
      event,
    })),
};

/** Offline push: the change's ring and cancel jobs, sent together. */
const push: Derivation = {
  kind: "push",
  versioned: false,
  derive: (s) => {
    const jobs = pushJobs(s.before, s.call, s);
    return jobs.length > 0 ? [{ kind: "push", at: s.now, jobs }] : [];
  },
};

export const DERIVATIONS: readonly Derivation[] = [callbacks, push];

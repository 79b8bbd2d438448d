/** What every entry point needs: where the data is, the configured timings, the effects. */
import type { Firestore } from "firebase-admin/firestore";
import type { CoreConfig } from "../core/types.js";
import type { EffectHandlers } from "../channels/deliver.js";

export interface Ctx {
  db: Firestore;
  cfg: CoreConfig;
  /**
   * Carries out what a committed change must cause. Without it nothing is carried out; the
   * sweep still applies every deadline (tests and the bench run that way).
   */
  effects?: EffectHandlers;
  /**
   * Which post-commit channels record and carry their effects, by name (channels/index.ts);
   * a channel absent is off, but for deadline tasks, always on.
   */
  channels?: Readonly<Record<string, boolean>>;
  /** Record callback events in the webhook outbox: `channels.webhooks`' older name. */
  outbox?: boolean;
  /** Record push jobs in the push outbox: `channels.push`' older name. */
  push?: boolean;
}

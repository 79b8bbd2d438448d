/** What every entry point needs: where the data is, the configured timings, the effects. */
import type { Firestore } from "firebase-admin/firestore";
import type { CoreConfig } from "../core/types.js";
import type { EffectHandlers } from "./tasks/deliverEffects.js";

export interface Ctx {
  db: Firestore;
  cfg: CoreConfig;
  /**
   * Carries out what a committed change must cause. Without it nothing is carried out; the
   * sweep still applies every deadline (tests and the bench run that way).
   */
  effects?: EffectHandlers;
  /** Record callback events in the webhook outbox (webhooks on); off when absent. */
  outbox?: boolean;
  /** Record push jobs in the push outbox (offline push on); off when absent. */
  push?: boolean;
}

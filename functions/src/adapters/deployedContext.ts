/**
 * The context of a deployed function (`Ctx`, context.ts): the deploy-time params read into the
 * core's config (at call time, never at load), the default database and the task effects.
 */
import type { CoreConfig } from "../core/types.js";
import type { Ctx } from "./context.js";
import { firestore } from "./store/firestore.js";
import { channelEffects } from "../channels/deliver.js";
import { deployedSwitches } from "../channels/index.js";
import {
  CALL_TIMEOUT_SECONDS,
  checkParams,
  HEARTBEAT_INTERVAL_SECONDS,
  HEARTBEAT_TIMEOUT_SECONDS,
  LIST_PAGE_LIMIT,
  MAX_CALL_USERS,
  MAX_INVITEES,
  NOT_RECEIVED_CHECK_SECONDS,
  RATE_CALLEE_PER_MINUTE,
  RATE_PAIR_PER_MINUTE,
  START_BURST,
  START_RATE_PER_MINUTE,
} from "../params.js";

/** The params as the core's config; a param out of range throws (see checkParams). */
export function coreConfig(): CoreConfig {
  checkParams();
  return {
    defaultTimeoutS: CALL_TIMEOUT_SECONDS.value(),
    heartbeatIntervalS: HEARTBEAT_INTERVAL_SECONDS.value(),
    heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_SECONDS.value() * 1000,
    maxCallUsers: MAX_CALL_USERS.value(),
    notReceivedMs: NOT_RECEIVED_CHECK_SECONDS.value() * 1000,
    maxInvitees: MAX_INVITEES.value(),
    listPageLimit: LIST_PAGE_LIMIT.value(),
    startLimit: { perMinute: START_RATE_PER_MINUTE.value(), burst: START_BURST.value() },
    ringLimits: {
      calleePerMinute: RATE_CALLEE_PER_MINUTE.value(),
      pairPerMinute: RATE_PAIR_PER_MINUTE.value(),
    },
  };
}

/** The context of a deployed function: the default database, the params, the effects. */
export function deployedContext(): Ctx {
  const db = firestore();
  return {
    db,
    cfg: coreConfig(),
    effects: channelEffects(db),
    channels: deployedSwitches(),
  };
}

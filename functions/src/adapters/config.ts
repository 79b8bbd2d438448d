/** Reads the deploy-time params into the core's config (at call time, never at load). */
import type { CoreConfig } from "../core/types.js";
import {
  CALL_TIMEOUT_SECONDS,
  HEARTBEAT_INTERVAL_SECONDS,
  HEARTBEAT_TIMEOUT_SECONDS,
} from "../params.js";

export function coreConfig(): CoreConfig {
  return { heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_SECONDS.value() * 1000 };
}

export const defaultCallTimeout = (): number => CALL_TIMEOUT_SECONDS.value();
export const heartbeatInterval = (): number => HEARTBEAT_INTERVAL_SECONDS.value();

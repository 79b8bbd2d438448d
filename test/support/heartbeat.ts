/**
 * The heartbeat params of the stack under test (RINGBACK_HEARTBEAT_INTERVAL_SECONDS and
 * RINGBACK_HEARTBEAT_TIMEOUT_SECONDS, as scripts/test.mjs sets them for a run; the deployed
 * defaults, 20 s and 60 s, otherwise). npm test's main run shortens them so that the timing
 * suite waits out a real heartbeat timeout in half the time; every suite reads them here.
 */
export const HEARTBEAT = {
  intervalS: Number(process.env.RINGBACK_HEARTBEAT_INTERVAL_SECONDS ?? 20),
  timeoutMs: Number(process.env.RINGBACK_HEARTBEAT_TIMEOUT_SECONDS ?? 60) * 1000,
};

/**
 * Ringback's kit index: replaces the src/index.ts that `firebase functions:kits:install`
 * writes from its template. Ringback sets its functions' global options itself, from its own
 * params (RINGBACK_REGION, RINGBACK_MAX_INSTANCES, RINGBACK_MEMORY_MIB, …), which this
 * instance reads from its config directory (function-kits/<kit>/config-<instance>/.env);
 * a second setGlobalOptions here would be overwritten, so set region and options there.
 */
export * from "@ringback/functions";

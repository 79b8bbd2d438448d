/** How Firestore's gRPC errors read, for the adapters that must tell them apart. */

/** ABORTED: a transaction lost to contention after its retries. */
export const GRPC_ABORTED = 10;
/** UNAVAILABLE and DEADLINE_EXCEEDED: Firestore could not be reached in time. */
export const GRPC_UNAVAILABLE = 14;
export const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_INVALID_ARGUMENT = 3;

const grpcCode = (e: unknown): unknown => (e as { code?: unknown } | null)?.code;

export const isAborted = (e: unknown): boolean => grpcCode(e) === GRPC_ABORTED;

export const isUnavailable = (e: unknown): boolean =>
  grpcCode(e) === GRPC_UNAVAILABLE || grpcCode(e) === GRPC_DEADLINE_EXCEEDED;

/**
 * The database no longer knows the transaction: it expired ("transaction has expired", which
 * the admin SDK retries itself) or the database restarted under it ("Transaction is invalid or
 * closed", the emulator's words, which it does not). Nothing of it was committed.
 */
export const isLostTransaction = (e: unknown): boolean =>
  grpcCode(e) === GRPC_INVALID_ARGUMENT &&
  /transaction (has expired|is invalid or closed)/i.test(String((e as Error).message));

/** The one place that turns domain and validation errors into HttpsError for clients. */
import { logger } from "firebase-functions";
import { HttpsError, type FunctionsErrorCode } from "firebase-functions/v2/https";
import type { z } from "zod";
import { DomainError, type DomainErrorKind } from "../core/errors.js";

const CODES: Record<DomainErrorKind, FunctionsErrorCode> = {
  invalid_argument: "invalid-argument",
  permission_denied: "permission-denied",
  not_found: "not-found",
  failed_precondition: "failed-precondition",
  already_exists: "already-exists",
  resource_exhausted: "resource-exhausted",
};

/** gRPC status ABORTED: a transaction lost to contention after its retries. */
const GRPC_ABORTED = 10;
/** gRPC statuses UNAVAILABLE and DEADLINE_EXCEEDED: Firestore could not be reached in time. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

export function validationError(error: z.ZodError): HttpsError {
  const issues = error.issues.map((i) => ({
    field: i.path.map(String).join(".") || "(root)",
    message: i.message,
  }));
  const first = issues[0] ?? { field: "(root)", message: "invalid input" };
  return new HttpsError("invalid-argument", `${first.field}: ${first.message}`, {
    reason: "invalid_argument",
    field: first.field,
    issues: issues.slice(0, 20),
  });
}

export function toHttpsError(e: unknown): HttpsError {
  if (e instanceof HttpsError) return e;
  if (e instanceof DomainError) {
    return new HttpsError(CODES[e.kind], e.message, { reason: e.reason, ...e.details });
  }
  if ((e as { code?: unknown } | null)?.code === GRPC_ABORTED) {
    return new HttpsError("aborted", "Too many concurrent changes to this call; retry.", {
      reason: "contention",
    });
  }
  const code = (e as { code?: unknown } | null)?.code;
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) {
    // Nothing was committed (a transaction commits whole or not at all): safe to retry.
    logger.warn("database unavailable", e);
    return new HttpsError("unavailable", "The database is unavailable; retry.", {
      reason: "unavailable",
    });
  }
  logger.error("unexpected error", e);
  return new HttpsError("internal", "Internal error.", { reason: "internal" });
}

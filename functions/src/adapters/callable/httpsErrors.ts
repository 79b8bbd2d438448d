/** The one place that turns domain and validation errors into HttpsError for clients. */
import { HttpsError, type FunctionsErrorCode } from "firebase-functions/v2/https";
import type { z } from "zod";
import { DomainError, type DomainErrorKind } from "../../core/errors.js";
import { UnreadableDocument } from "../../model/documents.js";
import { isAborted, isLostTransaction, isUnavailable } from "../store/grpcErrors.js";
import { logs } from "../logs.js";

const CODES: Record<DomainErrorKind, FunctionsErrorCode> = {
  invalid_argument: "invalid-argument",
  permission_denied: "permission-denied",
  not_found: "not-found",
  failed_precondition: "failed-precondition",
  already_exists: "already-exists",
  resource_exhausted: "resource-exhausted",
};

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
  if (e instanceof UnreadableDocument) {
    // A document of Ringback's own that no longer parses: no client can cause it; say where.
    logs.unreadableDocument(e);
    return new HttpsError("data-loss", e.message, {
      reason: "unreadable_document",
      path: e.path,
    });
  }
  if (isAborted(e)) {
    return new HttpsError("aborted", "Too many concurrent changes to this call; retry.", {
      reason: "contention",
    });
  }
  if (isUnavailable(e) || isLostTransaction(e)) {
    // A transaction commits whole or not at all; a client that retries finds either the
    // state before the command or the state after it, never half of it.
    logs.databaseUnavailable(e);
    return new HttpsError("unavailable", "The database is unavailable; retry.", {
      reason: "unavailable",
    });
  }
  logs.unexpected(e);
  return new HttpsError("internal", "Internal error.", { reason: "internal" });
}

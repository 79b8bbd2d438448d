import { describe, expect, it } from "vitest";
import { isLostTransaction } from "../../functions/src/adapters/store/grpcErrors.js";
import { toHttpsError } from "../../functions/src/adapters/callable/httpsErrors.js";
import { DomainError } from "../../functions/src/core/errors.js";

/** The shape of the admin SDK's errors: an Error with the gRPC status as `code`. */
const grpc = (code: number, message: string) => Object.assign(new Error(message), { code });

describe("toHttpsError: the one map from failures to what clients see", () => {
  it("gives a domain error its code, message and reason", () => {
    const e = toHttpsError(
      new DomainError("failed_precondition", "busy", "Bob is busy.", { user_id: "bob" }),
    );
    expect([e.code, e.message, e.details]).toEqual([
      "failed-precondition",
      "Bob is busy.",
      { reason: "busy", user_id: "bob" },
    ]);
  });

  it.each([
    [10, "10 ABORTED: too much contention", "aborted", "contention"],
    [14, "14 UNAVAILABLE: No connection established", "unavailable", "unavailable"],
    [4, "4 DEADLINE_EXCEEDED: deadline exceeded", "unavailable", "unavailable"],
    [3, "3 INVALID_ARGUMENT: Transaction is invalid or closed.", "unavailable", "unavailable"],
    [3, "3 INVALID_ARGUMENT: The referenced transaction has expired", "unavailable", "unavailable"],
    [
      3,
      "3 INVALID_ARGUMENT: Value for argument is not a valid resource path",
      "internal",
      "internal",
    ],
    [13, "13 INTERNAL: boom", "internal", "internal"],
  ])("gRPC %i (%s) → %s", (code, message, expected, reason) => {
    const e = toHttpsError(grpc(code, message));
    expect([e.code, (e.details as { reason: string }).reason]).toEqual([expected, reason]);
    expect(e.message).not.toContain(message); // server internals stay on the server
  });

  it("counts only a transaction the database lost as lost", () => {
    expect(isLostTransaction(grpc(3, "Transaction is invalid or closed."))).toBe(true);
    expect(isLostTransaction(grpc(3, "invalid path"))).toBe(false);
    expect(isLostTransaction(grpc(14, "Transaction is invalid or closed."))).toBe(false);
    expect(isLostTransaction(new Error("Transaction is invalid or closed."))).toBe(false);
  });
});

/**
 * Domain errors: what a client did that the state or the rules forbid. The adapter maps
 * `kind` to an HttpsError code; `reason` is the stable snake_case `details.reason`.
 */
export type DomainErrorKind =
  | "invalid_argument"
  | "permission_denied"
  | "not_found"
  | "failed_precondition"
  | "already_exists"
  | "resource_exhausted";

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly reason: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** A broken invariant: a bug in Ringback, never something a client can cause. */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantError";
  }
}

/** A decision's result: a value, or the refusal a client will see. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: DomainError };

/** Runs `fn`, turning a thrown DomainError into a refusal; anything else still throws. */
export function settled<T>(fn: () => T): Settled<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, error: e };
    throw e;
  }
}

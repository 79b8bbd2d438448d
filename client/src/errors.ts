/** Typed errors: every failed command becomes a RingbackError carrying the server's reason. */
import type { ErrorCode } from "./model/wire.js";

/** The HttpsError codes the server uses (the model's), without the SDK's "functions/" prefix. */
export type RingbackErrorCode = ErrorCode | (string & {});

export class RingbackError extends Error {
  override readonly name = "RingbackError";
  /** The HttpsError code, e.g. "failed-precondition". */
  readonly code: RingbackErrorCode;
  /** The server's stable snake_case reason (`details.reason`), e.g. "busy"; else the code. */
  readonly reason: string;
  /** The server's details (call_state, user_state, field, retry_after_ms, ...). */
  readonly details: Record<string, unknown>;

  constructor(
    code: RingbackErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
    const reason = details.reason;
    this.reason = typeof reason === "string" ? reason : code.replace(/-/g, "_");
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Turns what a callable threw (a FirebaseError from firebase/functions) into a RingbackError. */
export function toRingbackError(err: unknown): RingbackError {
  if (err instanceof RingbackError) return err;
  if (isRecord(err) && typeof err.code === "string") {
    const code = err.code.replace(/^functions\//, "");
    const message = typeof err.message === "string" ? err.message : code;
    const details = isRecord(err.details) ? err.details : {};
    return new RingbackError(code, message, details, { cause: err });
  }
  return new RingbackError("unknown", String(err), {}, { cause: err });
}

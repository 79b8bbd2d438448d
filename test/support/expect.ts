import { expect } from "vitest";
import type { FunctionsError } from "firebase/functions";

/** Awaits `p` and asserts it failed with the callable error `code` (and `reason`). */
export async function expectCallError(
  p: Promise<unknown>,
  code: string,
  reason?: string,
): Promise<FunctionsError & { details?: Record<string, unknown> }> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error, `expected a ${code} error`).toBeDefined();
  const fe = error as FunctionsError & { details?: Record<string, unknown> };
  expect(fe.code, fe.message).toBe(`functions/${code}`);
  if (reason !== undefined) expect(fe.details?.reason, fe.message).toBe(reason);
  return fe;
}

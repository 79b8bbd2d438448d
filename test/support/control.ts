/**
 * The stack's one control API for its stand-ins (scripts/standins/control.mjs, at
 * RINGBACK_CONTROL): the pushes the recorder got, how the policy hook answers, task faults.
 */

/** The control API's address; fails loudly outside a stack. */
export function controlHost(): string {
  const v = process.env.RINGBACK_CONTROL;
  if (!v) {
    throw new Error(
      "RINGBACK_CONTROL is not set: run the tests through `npm test` " +
        "(or `npm run with-emulators -- vitest run`), which starts the stand-ins.",
    );
  }
  return v;
}

/** One request to the control API: its status and parsed answer. */
export async function control<T = unknown>(
  method: "GET" | "PUT" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`http://${controlHost()}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

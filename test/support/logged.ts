/**
 * What the functions' named log events (functions/src/adapters/logs.ts) wrote, for tests that
 * assert what an operator is told. A test file takes it with
 * `vi.mock("firebase-functions/logger", () => loggerMock)` after importing `loggerMock`
 * through `vi.hoisted` (see test/unit/pushSettings.test.ts).
 */
export interface Logged {
  severity: "debug" | "info" | "warn" | "error";
  message: string;
  fields: Record<string, unknown>;
}

export function makeLogger() {
  const logged: Logged[] = [];
  const at =
    (severity: Logged["severity"]) =>
    (message: unknown, fields?: unknown): void => {
      logged.push({
        severity,
        message: String(message),
        fields: (fields && typeof fields === "object" ? fields : {}) as Record<string, unknown>,
      });
    };
  return {
    logged,
    /** Events with `fields.event === event`. */
    events: (event: string) => logged.filter((l) => l.fields.event === event),
    mock: {
      debug: at("debug"),
      info: at("info"),
      log: at("info"),
      warn: at("warn"),
      error: at("error"),
      write: () => undefined,
    },
  };
}

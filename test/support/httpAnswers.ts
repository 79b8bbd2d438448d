/**
 * What the HTTP door's tests (test/integration/httpApi*.test.ts) expect of callApi's answers
 * (docs/http-api.md), and the bodies they send.
 */
import { expect } from "vitest";
import type { TestUser } from "./clients.js";
import type { ApiAnswer } from "./http.js";

export const newCallId = () => `http-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

export function expectOk(a: ApiAnswer): Record<string, unknown> {
  expect(a.status, a.text).toBe(200);
  expect(a.json.code, a.text).toBe(0);
  expect(a.json.message).toBe("");
  return a.json.data as Record<string, unknown>;
}

export function expectRefused(a: ApiAnswer, status: number, code: number, reason?: string): void {
  expect(a.status, a.text).toBe(status);
  expect(a.json?.code, a.text).toBe(code);
  expect(typeof a.json.message).toBe("string");
  if (reason !== undefined) expect(a.json.reason, a.text).toBe(reason);
}

/** Seed 000's start_call sample, with real users. */
export const startBody = (call_id: string, caller: TestUser, callee: TestUser) => ({
  call_id,
  caller: { id: caller.uid, name: caller.name },
  callees: [{ id: callee.uid, name: callee.name }],
  type: 1,
});

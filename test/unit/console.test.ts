/**
 * `npm start`'s log (scripts/stack/console.mjs): the push task's events (a token pruned, a push
 * given up, a configuration error with its fix) are one readable line each.
 */
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs module of the stack, without types
import { describeEvent } from "../../scripts/stack/console.mjs";

describe("npm start's push lines", () => {
  it("prunes, give-ups and configuration errors each print as one line", () => {
    const at = { uid: "bob-uid-0123456789", device_id: "phone", channel: "fcm" };
    expect(
      describeEvent({
        event: "push_pruned",
        ...at,
        code: "messaging/registration-token-not-registered",
      }),
    ).toBe(
      "  push           token pruned: bob-uid-…/phone via fcm (messaging/registration-token-not-registered)",
    );
    expect(describeEvent({ event: "push_failed", ...at, code: "503" })).toContain("given up");
    expect(
      describeEvent({
        event: "push_config_error",
        severity: "ERROR",
        channel: "fcm",
        code: "messaging/mismatched-credential",
        fix: "grant roles/firebasecloudmessaging.admin",
      }),
    ).toContain("error: configuration (fcm messaging/mismatched-credential): grant roles/");
    expect(
      describeEvent({ event: "push_prune_withheld", severity: "ERROR", count: 3, code: "x" }),
    ).toContain("pruned none");
  });
});

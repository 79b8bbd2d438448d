/**
 * The push self-check (docs/push.md#self-check): an FCM dry run (validate_only) to a
 * registered token, in process against FCM's real answers (nock, test/support/fcmFake.ts)
 * and as `npm run push -- check`, a process reading the emulator's Firestore. It says what
 * is wrong and how to fix it, and never prunes.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pushSelfCheck } from "../../functions/src/channels/push/selfCheck.js";
import { adminDb } from "../support/admin.js";
import { env } from "../support/env.js";
import { ringJob as ring, useFakeFcm } from "../support/fcmFake.js";

const fcm = useFakeFcm("push-check");

describe("the self-check: a dry run to a registered token", () => {
  const dryRun = (...a: Parameters<typeof fcm.dryRun>) => fcm.dryRun(...a);

  it("sends validate_only to a user's token; says what is wrong and how to fix it", async () => {
    const r = await ring(["ok-check"]);
    fcm.answerFor = () => "ok";
    const ok = await pushSelfCheck(adminDb(), dryRun, { uid: r.uid });
    expect(ok).toMatchObject({ ok: true, device: { uid: r.uid, device_id: "d0" } });
    expect(fcm.seen).toEqual([{ token: "ok-check", validate_only: true }]);
    fcm.answerFor = () => "permissionDenied";
    const bad = await pushSelfCheck(adminDb(), dryRun, { uid: r.uid });
    expect(bad).toMatchObject({ ok: false, code: "messaging/mismatched-credential" });
    expect(bad.fix).toContain("fcm.googleapis.com");
    // A stale token means FCM answered about the token: the setup is fine; nothing pruned.
    fcm.answerFor = () => "unregistered";
    expect(await pushSelfCheck(adminDb(), dryRun, { uid: r.uid })).toMatchObject({ ok: true });
    expect(await r.tokensLeft()).toEqual(["ok-check"]);
    // Without a uid it finds a token through the token registry, or says there is none.
    const none = await pushSelfCheck(adminDb(), dryRun, { uid: `nobody-${Date.now()}` });
    expect(none).toMatchObject({ ok: true, skipped: true });
  });
});

describe("npm run push -- check, on the emulator's Firestore", () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn("npx", ["tsx", "scripts/ops/push.ts", "check", ...args], {
        env: { ...process.env, GCLOUD_PROJECT: env.projectId },
      });
      let out = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (out += c.toString()));
      child.on("close", (code) => resolve({ code, out }));
    });

  it("no token: ok, nothing to check (exit 0); a token and no reachable FCM: FAILED with the fix (exit 1)", async () => {
    const none = await run(["--uid", `nobody-${Date.now()}`]);
    expect(none.out).toContain("ok: no device has an FCM token yet");
    expect(none.code).toBe(0);
    const r = await ring(["ok-script"]);
    // The script speaks to the real FCM, which a test cannot: it must fail loudly, with a fix.
    const failed = await run(["--uid", r.uid]);
    expect(failed.out).toMatch(/FAILED: .*\n.*token of .*\/ d0\n {2}fix: /);
    expect(failed.code).toBe(1);
    expect(await r.tokensLeft()).toEqual(["ok-script"]);
  });
});

/**
 * The notification stream under abuse (docs/http-api.md#the-notification-stream): cursors
 * that would replay a week or point into the future, revoked tokens, streams that would
 * outlive their token. Each is refused with JSON or ended on time.
 */
import { afterAll, describe, expect, it } from "vitest";
import { getApps } from "firebase-admin/app";
import { getAuth } from "firebase-admin/auth";
import { adminDb } from "../support/admin.js";
import { users } from "../support/calls.js";
import { closeAll } from "../support/clients.js";
import { idToken, openStream } from "../support/http.js";

afterAll(closeAll);

const adminAuth = () => {
  adminDb();
  return getAuth(getApps().find((a) => a.name === "admin-tests"));
};

/** The same ID token with `exp` moved (the Auth emulator does not check signatures). */
function expiringIn(token: string, seconds: number): string {
  const [head, body, sig] = token.split(".");
  const claims = JSON.parse(Buffer.from(body ?? "", "base64url").toString()) as { exp: number };
  claims.exp = Math.floor(Date.now() / 1000) + seconds;
  return [head, Buffer.from(JSON.stringify(claims)).toString("base64url"), sig].join(".");
}

describe("the notification stream", () => {
  it("refuses a cursor that is malformed, too old or in the future with 400 bad_cursor JSON", async () => {
    const [bob] = await users("bob");
    const now = Math.floor(Date.now() / 1000);
    for (const lastEventId of [
      "@0.000000000", // would replay all 7 days kept
      `x-1-0@${now - 8 * 24 * 3600}.000000000`,
      `x-1-0@${now + 3600}.000000000`,
      `x@${now}.9999999999`, // used to be a plain-text 500
      "not-one-of-ours",
    ]) {
      const s = await openStream(bob, { lastEventId });
      expect(s.status, lastEventId).toBe(400);
      expect(s.refusal, lastEventId).toMatchObject({ code: 40003, reason: "bad_cursor" });
      expect(typeof s.refusal?.message).toBe("string");
    }
    // A recent id of the stream's own form is fine.
    const ok = await openStream(bob, { lastEventId: `@${now - 60}.000000000` });
    expect(ok.status).toBe(200);
    ok.close();
  });

  it("refuses a revoked token when it opens", async () => {
    const [bob] = await users("bob");
    const token = await idToken(bob);
    await new Promise((r) => setTimeout(r, 1100)); // revocation has a one-second grain
    await adminAuth().revokeRefreshTokens(bob.uid);
    const s = await openStream(token);
    expect(s.status).toBe(401);
    expect(s.refusal).toMatchObject({ code: 40101, reason: "unauthenticated" });
  });

  it("ends no later than its ID token's expiry", async () => {
    const [bob] = await users("bob");
    const s = await openStream(expiringIn(await idToken(bob), 3));
    expect(s.status).toBe(200);
    const t0 = Date.now();
    await s.ended;
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(s.comments.at(-1)).toMatch(/reconnect/);
  }, 30_000);
});

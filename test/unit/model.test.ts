/**
 * One model (functions/src/model): every type the client SDK shares with the server is
 * declared there once. The SDK's copy is what its build generates from it, its own sources
 * declare none of the model's names, and the device parsers read a malformed row as none.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import { describe, expect, it } from "vitest";
import { storedDevice, storedTokenOwner } from "../../functions/src/model/documents.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const SHARED = ["domain.ts", "wire.ts"];

/** The names a file declares at top level (types, interfaces, consts). */
const declared = (text: string) =>
  [...text.matchAll(/^export (?:interface|type|const) (\w+)/gm)].map((m) => m[1] as string);

/** Every .ts file under client/src but its generated model copy. */
function clientSources(dir = path.join(ROOT, "client/src")): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "model" ? [] : clientSources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe("the model, shared by the server and the client SDK", () => {
  it("is copied into the SDK's sources by its build, word for word under a banner", () => {
    const r = spawnSync(process.execPath, ["client/sync-model.mjs"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    for (const f of SHARED) {
      const copy = read(`client/src/model/${f}`).split("\n");
      expect(copy[0]).toMatch(/^\/\/ Generated from functions\/src\/model\/.* do not edit\.$/);
      expect(copy.slice(1).join("\n")).toBe(read(`functions/src/model/${f}`));
    }
    expect(read(".gitignore")).toMatch(/^client\/src\/model\/$/m);
  });

  it("declares its names once: no SDK source declares one of them again", () => {
    const names = SHARED.flatMap((f) => declared(read(`functions/src/model/${f}`)));
    expect(names).toEqual(expect.arrayContaining(["Call", "UserDoc", "ListedCall", "ErrorCode"]));
    const again = clientSources().flatMap((file) =>
      declared(fs.readFileSync(file, "utf8"))
        .filter((n) => names.includes(n))
        .map((n) => `${path.relative(ROOT, file)}: ${n}`),
    );
    expect(again).toEqual([]);
  });

  it("is the core's: core/types.ts and core/notifications.ts declare no domain type", () => {
    const names = SHARED.flatMap((f) => declared(read(`functions/src/model/${f}`)));
    for (const f of ["functions/src/core/types.ts", "functions/src/core/notifications.ts"]) {
      expect(
        declared(read(f)).filter((n) => names.includes(n)),
        f,
      ).toEqual([]);
    }
  });
});

describe("device documents and push-token owners, parsed", () => {
  it("reads a device's tokens and times; a malformed field as none", () => {
    const at = Timestamp.fromMillis(1_700_000_000_000);
    expect(
      storedDevice.parse({ fcm_token: "f", voip_token: null, registered_at: at, last_seen: at }),
    ).toEqual({
      fcm_token: "f",
      voip_token: null,
      apns_env: null,
      registered_at: 1_700_000_000_000,
      last_seen: 1_700_000_000_000,
    });
    expect(storedDevice.parse({ fcm_token: 7, apns_env: "moon", last_seen: "x" })).toEqual({
      fcm_token: null,
      voip_token: null,
      apns_env: null,
      registered_at: undefined,
      last_seen: 0,
    });
  });

  it("reads an owner row, and refuses one without its user or device", () => {
    expect(storedTokenOwner.parse({ uid: "u", device_id: "d" })).toEqual({
      uid: "u",
      device_id: "d",
    });
    expect(storedTokenOwner.safeParse({ uid: "u" }).success).toBe(false);
  });
});

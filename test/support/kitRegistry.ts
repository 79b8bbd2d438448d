/**
 * A one-package npm registry for the kit test: it serves the `npm pack` tarball of
 * @ringback/functions under that name, so that `firebase functions:kits:install --package
 * @ringback/functions` runs as it would against npmjs.com (`npm view`, `npm pack --dry-run`,
 * `npm install`). npm asks it only for the @ringback scope (a userconfig naming it as that
 * scope's registry); every other package still comes from the usual registry.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

export async function startKitRegistry(tarball: string, manifest: Record<string, unknown>) {
  const data = fs.readFileSync(tarball);
  const name = manifest.name as string;
  const version = manifest.version as string;
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? "");
    if (url === `/${name}`) {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const dist = {
        tarball: `${base}/tarballs/${path.basename(tarball)}`,
        shasum: crypto.createHash("sha1").update(data).digest("hex"),
        integrity: `sha512-${crypto.createHash("sha512").update(data).digest("base64")}`,
      };
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          name,
          "dist-tags": { latest: version },
          versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist } },
        }),
      );
    } else if (url === `/tarballs/${path.basename(tarball)}`) {
      res.setHeader("content-type", "application/octet-stream");
      res.end(data);
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: "not found" }));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  // npm's user config, plus the scope's registry (the user's own ~/.npmrc still applies).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ringback-npmrc-"));
  const userconfig = path.join(dir, ".npmrc");
  const home = path.join(os.homedir(), ".npmrc");
  const own = fs.existsSync(home) ? fs.readFileSync(home, "utf8") : "";
  const scope = name.split("/")[0];
  fs.writeFileSync(userconfig, `${own}\n${scope}:registry=http://127.0.0.1:${port}/\n`);
  return {
    userconfig,
    close: () => {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

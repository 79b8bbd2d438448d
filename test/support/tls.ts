/** TLS for the tests' local stand-ins of push services (the APNs HTTP/2 server). */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A self-signed certificate for 127.0.0.1 (openssl: the test fails loudly without it). */
export function selfSigned(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "apns-test-"));
  const [k, c] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      k,
      "-out",
      c,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  const out = { key: fs.readFileSync(k, "utf8"), cert: fs.readFileSync(c, "utf8") };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

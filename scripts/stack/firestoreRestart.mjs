// SIGUSR2 (the fault tests): restart the Firestore emulator keeping the stack project's data.
// Close the gate (every connection cut, new ones held), let in-flight work settle, export,
// stop the JAR, start it again seeded from the export, open the gate. No write that a client
// saw succeed is lost. Writes the count of restarts to .runtime/firestore-restarts.
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stopTree } from "./procs.mjs";

/** Returns restart(): a no-op while a restart runs or when there is no JAR behind a gate. */
export function firestoreRestarter({ cfg, emulators, jar, jarHost, gate, log, fail }) {
  const countFile = path.join(cfg.runtime, "firestore-restarts");
  fs.rmSync(countFile, { force: true });
  let restarts = 0;
  let restarting = false;
  return async function restart() {
    if (restarting || emulators.stopping) return;
    if (!jar || !gate) {
      log("SIGUSR2 ignored: restarting Firestore needs the JAR and RINGBACK_FIRESTORE_RESTARTS=1");
      return;
    }
    restarting = true;
    try {
      gate.close();
      await sleep(500); // RPCs the JAR had already received finish (or fail) now
      const dir = path.join(cfg.runtime, "firestore-export");
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      const res = await fetch(`http://${jarHost}/emulator/v1/projects/${cfg.project}:export`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          database: `projects/${cfg.project}/databases/(default)`,
          export_directory: dir,
        }),
      });
      if (!res.ok) throw new Error(`export: HTTP ${res.status} ${await res.text()}`);
      const meta = fs
        .readdirSync(dir, { recursive: true })
        .map(String)
        .find((f) => f.endsWith(".overall_export_metadata"));
      if (!meta) throw new Error(`export: no metadata in ${dir}`);
      const old = emulators.list.find((e) => e.name === "firestore");
      if (old) {
        old.ready = false; // its exit is expected now
        await stopTree(old.child.pid);
        emulators.remove(old);
      }
      log("Firestore emulator stopped; starting it again with its data");
      await emulators.startFirestore(jar, jarHost, path.join(dir, meta));
      gate.open();
      restarts += 1;
      fs.writeFileSync(countFile, String(restarts));
      log(`Firestore emulator restarted (${restarts})`);
    } catch (err) {
      log(`Firestore restart failed: ${err.message}`);
      fail();
    } finally {
      restarting = false;
    }
  };
}

// The emulators' config. Normally firebase.json as it is; a generated copy when
//  - RINGBACK_BENCH_FUNCTIONS=1 (`npm run bench`): adds the bench's floor callables, a codebase
//    of their own (bench/functions) that firebase.json never names, so neither `npm start`
//    nor `firebase deploy` sees them;
//  - RINGBACK_PORT_OFFSET=N: every emulator port moved by N, so that a second stack (another
//    checkout, a developer's own `npm start`) can run beside the first.
import fs from "node:fs";
import path from "node:path";

export function emulatorConfig(root, runtimeDir) {
  const file = path.join(root, "firebase.json");
  const config = JSON.parse(fs.readFileSync(file, "utf8"));
  const bench = process.env.RINGBACK_BENCH_FUNCTIONS === "1";
  const offset = Number(process.env.RINGBACK_PORT_OFFSET ?? 0);
  if (!Number.isInteger(offset) || offset < 0 || offset > 20000) {
    throw new Error("RINGBACK_PORT_OFFSET: a whole number from 0 to 20000, please");
  }
  if (!bench && offset === 0) {
    return { emulators: config.emulators ?? {}, functions: config.functions, args: [] };
  }

  for (const e of Object.values(config.emulators ?? {})) {
    if (typeof e === "object" && e.port) e.port = fetchablePort(e.port + offset);
  }
  // Paths in a config are relative to the config file: point them back at the repository.
  const fromRuntime = (p) => path.relative(runtimeDir, path.join(root, p));
  config.functions = config.functions.map((f) => ({ ...f, source: fromRuntime(f.source) }));
  if (bench) {
    config.functions.push({
      source: fromRuntime("bench/functions"),
      codebase: "bench",
      runtime: "nodejs22",
    });
  }
  if (config.firestore) {
    config.firestore = {
      ...config.firestore,
      rules: fromRuntime(config.firestore.rules),
      indexes: fromRuntime(config.firestore.indexes),
    };
  }
  fs.mkdirSync(runtimeDir, { recursive: true });
  // One file per offset: stacks on other offsets (the signal tests run three at once) may be
  // writing theirs at the same moment.
  const generated = path.join(
    runtimeDir,
    `firebase.generated.${offset}${bench ? ".bench" : ""}.json`,
  );
  fs.writeFileSync(generated, JSON.stringify(config, null, 2));
  return {
    emulators: config.emulators ?? {},
    functions: config.functions,
    args: ["--config", generated],
  };
}

// Ports that fetch() refuses to connect to ("bad port", from the Fetch standard's list), so
// that the tests and the runner could not reach an emulator moved there (8080 + 2000 = 10080).
const FETCH_BLOCKED = new Set([
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669,
  6679, 6697, 10080,
]);

/** The port itself, or the next one fetch() accepts. */
function fetchablePort(port) {
  while (FETCH_BLOCKED.has(port)) port++;
  return port;
}

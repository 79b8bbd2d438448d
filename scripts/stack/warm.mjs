// Warms the functions emulator: the first request to each function starts its worker, which
// takes 2-4 s on an idle machine and 20 s or more on a loaded one. Tests that time the server
// to the second (an end heard within a second, heartbeat deadlines) would measure that cold
// start, and a newcomer's first click in the demo would wait for it; so the stack sends each
// HTTP function one request before it reports ready. Best effort: a failure only logs.

const CONCURRENCY = 3; // two cores: more workers booting at once only queue on the CPU

/**
 * POSTs an empty callable body to each of `names` (refused unauthenticated, quickly once the
 * worker is up: nothing is changed). Resolves when all answered or gave up.
 */
export async function warmFunctions({ functionsHost, project, region, names, log }) {
  const t0 = Date.now();
  const queue = [...names];
  const failed = [];
  const one = async (name) => {
    try {
      const res = await fetch(`http://${functionsHost}/${project}/${region}/${name}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: {} }),
        signal: AbortSignal.timeout(90_000),
      });
      await res.arrayBuffer();
    } catch (e) {
      failed.push(`${name} (${e?.name ?? e})`);
    }
  };
  const lanes = Array.from({ length: CONCURRENCY }, async () => {
    for (let name = queue.shift(); name; name = queue.shift()) await one(name);
  });
  await Promise.all(lanes);
  const s = ((Date.now() - t0) / 1000).toFixed(1);
  log(
    `warmed ${names.length} functions in ${s} s${failed.length ? `; not: ${failed.join(", ")}` : ""}`,
  );
}

// The backstop sweep's ticker, standing in for Cloud Scheduler. The functions emulator ignores
// sweepTimeouts' schedule trigger (it would need a Pub/Sub emulator), but it serves every
// trigger over HTTP: this POSTs that URL every `intervalMs`, each tick when the last one ended.

/** Starts ticking (unless intervalMs is 0); returns stop(). Each distinct failure is logged once. */
export function startSweepTicker({ url, intervalMs, log }) {
  if (intervalMs === 0) return () => {};
  const seen = new Set();
  let stopped = false;
  let timer;
  const tick = async () => {
    try {
      const res = await fetch(url, { method: "POST", signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      const msg = err.cause?.code ?? err.message;
      if (!stopped && !seen.has(msg)) log(`sweep tick failed: ${msg} (shown once) ${url}`);
      seen.add(msg);
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

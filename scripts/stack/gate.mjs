// A TCP gate in front of the Firestore emulator, so that the runner can restart it without
// losing an acknowledged write (SIGUSR2, for the fault tests).
//
// Exporting the emulator's data while clients still reach it loses whatever commits after the
// export began, though those clients were told it succeeded. The gate closes first: it cuts
// every open connection (their RPCs fail UNAVAILABLE, as in a real outage) and holds new ones
// paused. Nothing can be acknowledged any more; the runner lets in-flight work settle, exports,
// restarts the JAR, and opens the gate, which connects the held clients to the new JAR.
import net from "node:net";
import getPort from "get-port";

/**
 * Listen on host:port and forward every connection to target ({host, port}).
 * Resolves to { close(), open(), stop(), connections() } once listening.
 */
export async function startGate({ host, port, target }) {
  const live = new Set(); // [client, upstream] pairs
  const held = new Set(); // clients accepted while the gate is closed
  let isOpen = true;

  const forward = (client) => {
    const upstream = net.connect({ host: target.host, port: target.port });
    const pair = [client, upstream];
    live.add(pair);
    const drop = () => {
      if (!live.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.setNoDelay(true);
      s.on("error", drop);
      s.on("close", drop);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume(); // accepted paused (pauseOnConnect)
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    if (isOpen) return forward(client);
    held.add(client);
    const forget = () => held.delete(client);
    client.on("error", forget);
    client.on("close", forget);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });

  return {
    /** Cut every connection and hold new ones until open(). */
    close() {
      isOpen = false;
      for (const [client, upstream] of live) {
        client.destroy();
        upstream.destroy();
      }
      live.clear();
    },
    /** Forward again, the held connections first. */
    open() {
      isOpen = true;
      for (const client of held) {
        client.removeAllListeners("error");
        client.removeAllListeners("close");
        forward(client);
      }
      held.clear();
    },
    stop() {
      this.close();
      for (const client of held) client.destroy();
      held.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
    connections: () => live.size,
  };
}

/** A free TCP port on host, for the emulator behind the gate. */
export const freePort = (host) => getPort({ host });

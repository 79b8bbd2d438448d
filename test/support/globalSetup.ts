/** Before any emulator test: every emulator must answer, or the whole run fails. */
import { env } from "./env.js";

async function reachable(name: string, url: string): Promise<void> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
  } catch (e) {
    throw new Error(
      `The ${name} emulator at ${url} does not answer (${String(e)}). Run \`npm test\`.`,
    );
  }
}

export default async function setup(): Promise<void> {
  await reachable("Firestore", `http://${env.firestoreHost}/`);
  await reachable("Auth", `http://${env.authHost}/`);
  await reachable("Functions", `${env.functionsOrigin}/`);
}

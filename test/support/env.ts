/**
 * Where the emulators are. Set by `npm run with-emulators` (scripts/stack.mjs); a test run
 * without them fails here, loudly, instead of skipping.
 */
function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    throw new Error(
      `${name} is not set: run the emulator tests through \`npm test\` ` +
        "(or `npm run with-emulators -- vitest run`), which starts the emulators.",
    );
  }
  return v;
}

export const env = {
  get projectId(): string {
    return required("GCLOUD_PROJECT");
  },
  get firestoreHost(): string {
    return required("FIRESTORE_EMULATOR_HOST");
  },
  get authHost(): string {
    return required("FIREBASE_AUTH_EMULATOR_HOST");
  },
  get functionsOrigin(): string {
    return required("FUNCTIONS_EMULATOR_ORIGIN");
  },
};

export function hostPort(hostAndPort: string): { host: string; port: number } {
  const url = new URL(hostAndPort.includes("://") ? hostAndPort : `http://${hostAndPort}`);
  return { host: url.hostname, port: Number(url.port) };
}

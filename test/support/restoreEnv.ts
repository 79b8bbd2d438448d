/**
 * The unit project runs its files in shared workers (isolate: false: a fresh module graph per
 * file cost more than the tests themselves). A file that sets process.env gets it back here,
 * whether or not it cleaned up, so the next file in the worker starts from the same env.
 */
import { afterAll } from "vitest";

const before = { ...process.env };
afterAll(() => {
  for (const k of Object.keys(process.env)) if (!(k in before)) delete process.env[k];
  Object.assign(process.env, before);
});

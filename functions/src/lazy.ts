/**
 * A handler loaded on its first use: index.ts defines every function with one, and the HTTP
 * door loads each command it runs with one, so that an instance loads only the handlers its
 * requests need (cold start, BENCHMARKS.md). A failed load is tried again on the next use.
 */
export function lazy<A extends unknown[], R>(
  load: () => Promise<(...args: A) => R | Promise<R>>,
): (...args: A) => Promise<R> {
  let loading: Promise<(...args: A) => R | Promise<R>> | undefined;
  return async (...args) => {
    loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
    return (await loading)(...args);
  };
}

/** A minimal typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(type: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const fn = listener as (payload: never) => void;
    set.add(fn);
    return () => void set.delete(fn);
  }

  /** Calls every listener; one that throws does not keep the others from hearing it. */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    for (const fn of [...(this.listeners.get(type) ?? [])]) {
      try {
        (fn as (p: Events[K]) => void)(payload);
      } catch (err) {
        setTimeout(() => {
          throw err; // surface it as an uncaught error, outside our bookkeeping
        });
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

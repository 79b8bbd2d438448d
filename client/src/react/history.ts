/**
 * `useCallHistory()`: the signed-in user's calls from `listCalls`, newest first, fetched again
 * whenever a call finishes for them (once `lastCall` is over its doc says so, so the listing
 * read after it does too: no row stuck "in progress").
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { ListedCall } from "../types.js";
import { useRingback } from "./hooks.js";

export interface CallHistoryOptions {
  /** Calls per page, 1..100 (the server's default: 20). */
  count?: number;
}

export interface CallHistory {
  /** The pages read so far, in order (empty when signed out). */
  calls: ListedCall[];
  /** True while a page is being read. */
  loading: boolean;
  /** The last read's failure (a RingbackError), cleared by the next success. */
  error: Error | null;
  /** Whether `loadMore()` has a page to read. */
  hasMore: boolean;
  /** Reads the next page and appends it. */
  loadMore(): Promise<void>;
  /** Reads the first page again (dropping the others). */
  refresh(): Promise<void>;
}

export function useCallHistory(options: CallHistoryOptions = {}): CallHistory {
  const { state, rb } = useRingback();
  const { count } = options;
  const [calls, setCalls] = useState<ListedCall[]>([]);
  const [next, setNext] = useState("");
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  // Only the newest read may land: a sign-out or a refresh makes older ones stale.
  const generation = useRef(0);
  const uid = state.live ? state.uid : null;

  const read = useCallback(
    async (nextFlag: string) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const input = count === undefined ? {} : { count };
        const page = await rb.list(nextFlag ? { ...input, next_flag: nextFlag } : input);
        if (mine !== generation.current) return;
        setCalls((before) => (nextFlag ? [...before, ...page.calls] : page.calls));
        setNext(page.next_flag);
        setError(null);
      } catch (err) {
        if (mine === generation.current) setError(err as Error);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [rb, count],
  );

  const refresh = useCallback(() => read(""), [read]);
  const loadMore = useCallback(() => (next ? read(next) : Promise.resolve()), [read, next]);

  // What makes the first page change: who is signed in, and each call finishing for them.
  const finished = state.lastCall ? `${state.lastCall.id}:${state.lastCall.state}` : "";
  useEffect(() => {
    if (uid) {
      void refresh();
      return;
    }
    generation.current++;
    setCalls([]);
    setNext("");
    setLoading(false);
    setError(null);
  }, [uid, finished, refresh]);

  return { calls, loading, error, hasMore: next !== "", loadMore, refresh };
}

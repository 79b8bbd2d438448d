/**
 * At most RINGBACK_STREAMS_PER_USER notification streams per user, a new one ending the oldest
 * (docs/protocol.md#the-notification-stream). Kept per instance: streams that land on
 * different instances are not counted together, so a user may hold that many per instance.
 */
const open = new Map<string, { end: (why: string) => void }[]>();

/** Takes a slot for `uid`'s new stream; returns the release to call when it ends. */
export function takeSlot(uid: string, max: number, end: (why: string) => void): () => void {
  const mine = open.get(uid) ?? [];
  const slot = { end };
  mine.push(slot);
  open.set(uid, mine);
  while (mine.length > max) mine[0]?.end("a newer stream of this user took its place");
  return () => {
    const i = mine.indexOf(slot);
    if (i >= 0) mine.splice(i, 1);
    if (mine.length === 0 && open.get(uid) === mine) open.delete(uid);
  };
}

/** Streams open for `uid` on this instance (tests). */
export const openStreams = (uid: string): number => open.get(uid)?.length ?? 0;

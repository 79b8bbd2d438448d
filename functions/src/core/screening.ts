/**
 * Who may ring whom (docs/protocol.md#who-may-ring-whom): of the callees a start or an
 * invitation names, who is not to be rung (they blocked the caller, the policy hook denied
 * them, or a ring limit holds).
 * Such an invitee is left undelivered: the caller sees them ring and time out, they see
 * nothing. Pure: the adapter reads the blocks and the ring logs in the command's transaction.
 */

/** The delivered invitations to one callee over the last minute, oldest first. */
export interface RingLog {
  rings: { from: string; at: number }[];
}

/** Invitations delivered a minute, at most; 0 turns a limit off. */
export interface RingLimits {
  /** To one callee, from everyone. */
  calleePerMinute: number;
  /** From one caller to one callee. */
  pairPerMinute: number;
}

export const RING_WINDOW_MS = 60_000;

/**
 * A log never holds more rings than this: with the callee limit off and the pair limit on,
 * the oldest are dropped (a pair limit may then undercount a caller among very many).
 */
export const RING_LOG_MAX = 200;

export const limitsOn = (l: RingLimits | undefined): l is RingLimits =>
  l !== undefined && (l.calleePerMinute > 0 || l.pairPerMinute > 0);

/** What the adapter read: who blocked the caller, and each callee's ring log. */
export interface ScreenFacts {
  blocked: ReadonlySet<string>;
  logs: ReadonlyMap<string, RingLog | undefined>;
}

const NOBODY: ReadonlySet<string> = new Set();

export interface Screened {
  /** Callees not to be rung (blocked or over a limit), told apart by nobody but the server. */
  undelivered: Set<string>;
  /** The ring logs of the delivered callees with this invitation added, to be written. */
  logs: Map<string, RingLog>;
}

/** Screens `callees` (Auth users new to the call) for `caller` at `now`. */
export function screen(
  caller: string,
  callees: readonly string[],
  facts: ScreenFacts,
  now: number,
  limits: RingLimits | undefined,
  /** Whom the policy hook denied (asked before the transaction, adapters/policy.ts). */
  denied: ReadonlySet<string> = NOBODY,
): Screened {
  const undelivered = new Set<string>();
  const logs = new Map<string, RingLog>();
  for (const callee of callees) {
    if (facts.blocked.has(callee) || denied.has(callee)) {
      undelivered.add(callee);
      continue;
    }
    if (!limitsOn(limits)) continue;
    const recent = (facts.logs.get(callee)?.rings ?? []).filter(
      (r) => r.at > now - RING_WINDOW_MS && r.at <= now,
    );
    const pair = recent.filter((r) => r.from === caller).length;
    const over =
      (limits.calleePerMinute > 0 && recent.length >= limits.calleePerMinute) ||
      (limits.pairPerMinute > 0 && pair >= limits.pairPerMinute);
    if (over) {
      undelivered.add(callee);
      continue;
    }
    logs.set(callee, { rings: [...recent, { from: caller, at: now }].slice(-RING_LOG_MAX) });
  }
  return { undelivered, logs };
}

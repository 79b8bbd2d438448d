/**
 * The post-commit channels, one line each (docs/protocol.md#channels). This list drives what
 * a transaction records (store/unitOfWork.ts), what is delivered after the commit
 * (store/transaction.ts), the sweep's backstops (functions/sweepTimeouts.ts), a deployed
 * context's switches (deployedContext.ts), the task functions index.ts exports and the
 * packaging tests. Loading it loads no channel's handlers (each `load()`s its own).
 */
import type { Channel } from "./channel.js";
import { deadlines } from "./deadlines/index.js";
import { eventarc } from "./eventarc/index.js";
import { push } from "./push/index.js";
import { webhooks } from "./webhooks/index.js";

export const CHANNELS: readonly Channel[] = [deadlines, webhooks, push, eventarc];

/** Each channel's switch in a deployed function, from its params (read at call time). */
export const deployedSwitches = (): Record<string, boolean> =>
  Object.fromEntries(CHANNELS.map((c) => [c.name, c.deployed()]));

/** The channel named `name` (index.ts wires its task function by it). */
export function channel(name: string): Channel {
  const c = CHANNELS.find((x) => x.name === name);
  if (!c) throw new Error(`no channel ${name}`);
  return c;
}

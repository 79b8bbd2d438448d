import type { Ctx } from "../adapters/context.js";
import { deployedContext } from "../adapters/deployedContext.js";
import { logs } from "../adapters/logs.js";
import { sweepDue } from "../adapters/calls/sweep.js";
import { CHANNELS } from "../channels/index.js";

/**
 * The backstop, every minute (triggers.ts, index.ts): settle every call with a deadline in the
 * past, and run each channel's backstop (channels/index.ts): what was recorded in an outbox
 * and never carried out is carried out again.
 */
export async function sweepTimeouts(): Promise<void> {
  const ctx = withoutInline(deployedContext());
  const backstops = CHANNELS.filter((c) => c.on(ctx)).map(async (c) => {
    const backstop = (await c.load()).backstop;
    return [c.name, backstop ? await backstop(ctx) : 0] as const;
  });
  const [counts, resent] = await Promise.all([sweepDue(ctx), Promise.all(backstops)]);
  if (counts.examined > 0 || resent.some(([, n]) => n > 0)) {
    logs.sweep({ ...counts, resent: Object.fromEntries(resent.filter(([, n]) => n > 0)) });
  }
}

/**
 * The sweep settles many calls a run, each of which would wait up to the inline push budget
 * (channels/push/inline.ts) with a slow sender: its changes' pushes go by their tasks alone.
 */
function withoutInline(ctx: Ctx): Ctx {
  if (!ctx.effects) return ctx;
  const { deliver, undelivered } = ctx.effects;
  return { ...ctx, effects: undelivered ? { deliver, undelivered } : { deliver } };
}

import { runCallCommand } from "../adapters/calls.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { heartbeat as beat } from "../core/machine.js";
import { heartbeatSchema } from "../schemas.js";

/** /call/heartbeat: the inviter and accepted users, every heartbeat interval. */
export const heartbeat = validatedOnCall(heartbeatSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return runCallCommand(context(), data.call_id, caller.uid, (d) => beat(d, caller.uid));
});

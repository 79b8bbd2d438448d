import { runCallCommand } from "../adapters/calls.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { end } from "../core/machine.js";
import { endCallSchema } from "../schemas.js";

/** /call/end_call (ZIM callEnd): any accepted user ends the call for everyone. */
export const endCall = validatedOnCall(endCallSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return runCallCommand(context(), data.call_id, caller.uid, (d) => end(d, caller.uid));
});

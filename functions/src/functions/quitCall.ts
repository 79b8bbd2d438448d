import { runCallCommand } from "../adapters/calls.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { quit } from "../core/machine.js";
import { quitCallSchema } from "../schemas.js";

/** callQuit (advanced mode): leave the call; it ends when no accepted user is left. */
export const quitCall = validatedOnCall(quitCallSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return runCallCommand(context(), data.call_id, caller.uid, (d) =>
    quit(
      d,
      caller.uid,
      data.extended_data !== undefined ? { extended_data: data.extended_data } : {},
    ),
  );
});

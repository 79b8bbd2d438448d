import { runCallCommand } from "../adapters/calls.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { accept } from "../core/machine.js";
import { acceptCallSchema } from "../schemas.js";

/** /call/accept_call (ZIM callAccept). */
export const acceptCall = validatedOnCall(acceptCallSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return runCallCommand(context(), data.call_id, caller.uid, (d) =>
    accept(d, caller.uid, {
      ...(data.extended_data !== undefined ? { extended_data: data.extended_data } : {}),
      ...(data.device_id !== undefined ? { device_id: data.device_id } : {}),
    }),
  );
});

import { runCallCommand } from "../adapters/calls.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { decline } from "../core/machine.js";
import { declineCallSchema } from "../schemas.js";

/** /call/decline_call (ZIM callReject): type 1 declined, 2 busy. */
export const declineCall = validatedOnCall(declineCallSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return runCallCommand(context(), data.call_id, caller.uid, (d) =>
    decline(d, caller.uid, {
      type: data.type,
      ...(data.extended_data !== undefined ? { extended_data: data.extended_data } : {}),
      ...(data.caller_id !== undefined ? { caller_id: data.caller_id } : {}),
      ...(data.device_id !== undefined ? { device_id: data.device_id } : {}),
    }),
  );
});

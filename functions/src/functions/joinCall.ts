import { runJoinCall } from "../adapters/calls.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { joinCallSchema } from "../schemas.js";

/** callJoin (advanced mode): join the call, or move it to this device when already in it. */
export const joinCall = validatedOnCall(joinCallSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return runJoinCall(context(), data.call_id, caller.uid, {
    ...(data.device_id !== undefined ? { device_id: data.device_id } : {}),
    ...(data.extended_data !== undefined ? { extended_data: data.extended_data } : {}),
  });
});

import { runJoin } from "../adapters/commands.js";
import { context } from "../adapters/config.js";
import { validated } from "../adapters/validatedOnCall.js";
import { joinCallSchema } from "../schemas.js";

/** callJoin (advanced mode): join the call, or move it to this device when already in it. */
export const joinCall = validated(joinCallSchema, (caller, data) =>
  runJoin(context(), data.call_id, caller.uid, data),
);

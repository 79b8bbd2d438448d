import { runJoin } from "../adapters/calls/runCommand.js";
import { deployedContext } from "../adapters/deployedContext.js";
import { validated } from "../adapters/callable/validated.js";
import { joinCallSchema } from "../model/commands.js";

/** callJoin (advanced mode): join the call, or move it to this device when already in it. */
export const joinCall = validated(joinCallSchema, (caller, data) =>
  runJoin(deployedContext(), data.call_id, caller.uid, data),
);

import { setBlocked } from "../adapters/calls/blocks.js";
import { deployedContext } from "../adapters/deployedContext.js";
import { validated } from "../adapters/callable/validated.js";
import { blockUserSchema } from "../model/commands.js";

/** `user_id` may ring the caller again; unblocking someone not blocked is a success. */
export const unblockUser = validated(blockUserSchema, (caller, data) =>
  setBlocked(deployedContext(), caller.uid, data.user_id, false),
);

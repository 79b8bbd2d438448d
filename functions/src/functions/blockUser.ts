import { setBlocked } from "../adapters/calls/blocks.js";
import { deployedContext } from "../adapters/deployedContext.js";
import { validated } from "../adapters/callable/validated.js";
import { blockUserSchema } from "../model/commands.js";

/**
 * The caller no longer wants to be rung by `user_id`: their invitations are not delivered
 * (docs/protocol.md#who-may-ring-whom). Blocking again is a success that changes nothing new.
 */
export const blockUser = validated(blockUserSchema, (caller, data) =>
  setBlocked(deployedContext(), caller.uid, data.user_id, true),
);

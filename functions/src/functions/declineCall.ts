import { commandCallable } from "../adapters/callable/commandCallable.js";
import { decline } from "../core/commands.js";
import { declineCallSchema } from "../model/commands.js";

/** /call/decline_call (ZIM callReject): type 1 declined, 2 busy. */
export const declineCall = commandCallable(declineCallSchema, decline);

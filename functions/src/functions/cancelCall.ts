import { commandCallable } from "../adapters/callable/commandCallable.js";
import { cancel } from "../core/commands.js";
import { cancelCallSchema } from "../model/commands.js";

/** /call/cancel_call (ZIM callCancel): the inviter cancels the listed or all unanswered invitees. */
export const cancelCall = commandCallable(cancelCallSchema, cancel);

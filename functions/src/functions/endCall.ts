import { commandCallable } from "../adapters/callable/commandCallable.js";
import { end } from "../core/commands.js";
import { endCallSchema } from "../model/commands.js";

/** /call/end_call (ZIM callEnd): any accepted user ends the call for everyone. */
export const endCall = commandCallable(endCallSchema, end);

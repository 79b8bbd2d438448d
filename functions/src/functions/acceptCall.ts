import { commandCallable } from "../adapters/callable/commandCallable.js";
import { accept } from "../core/commands.js";
import { acceptCallSchema } from "../model/commands.js";

/** /call/accept_call (ZIM callAccept). */
export const acceptCall = commandCallable(acceptCallSchema, accept);

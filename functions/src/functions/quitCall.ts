import { commandCallable } from "../adapters/callable/commandCallable.js";
import { quit } from "../core/group.js";
import { quitCallSchema } from "../model/commands.js";

/** callQuit (advanced mode): leave the call; it ends when no accepted user is left. */
export const quitCall = commandCallable(quitCallSchema, quit);

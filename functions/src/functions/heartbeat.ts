import { commandCallable } from "../adapters/callable/commandCallable.js";
import { heartbeat as beat } from "../core/commands.js";
import { heartbeatSchema } from "../model/commands.js";

/** /call/heartbeat: the inviter and accepted users, every heartbeat interval. */
export const heartbeat = commandCallable(heartbeatSchema, beat);

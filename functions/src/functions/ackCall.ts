import { commandCallable } from "../adapters/callable/commandCallable.js";
import { ack } from "../core/commands.js";
import { ackCallSchema } from "../model/commands.js";

/** A device of an invitee received the invitation: Inviting / NotYetReceived → Received. */
export const ackCall = commandCallable(ackCallSchema, ack);

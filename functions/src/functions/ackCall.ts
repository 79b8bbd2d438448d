import { runCallCommand } from "../adapters/calls.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { ack } from "../core/machine.js";
import { ackCallSchema } from "../schemas.js";

/** A device of an invitee received the invitation: Inviting / NotYetReceived → Received. */
export const ackCall = validatedOnCall(ackCallSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return runCallCommand(context(), data.call_id, caller.uid, (d) =>
    ack(d, caller.uid, data.device_id !== undefined ? { device_id: data.device_id } : {}),
  );
});

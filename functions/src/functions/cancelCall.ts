import { runCallCommand } from "../adapters/calls.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { cancel } from "../core/machine.js";
import { cancelCallSchema } from "../schemas.js";

/** /call/cancel_call (ZIM callCancel): the inviter cancels the listed or all unanswered invitees. */
export const cancelCall = validatedOnCall(cancelCallSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  const ids = data.callee_ids ?? (data.callee_id !== undefined ? [data.callee_id] : undefined);
  return runCallCommand(context(), data.call_id, caller.uid, (d) =>
    cancel(d, caller.uid, ids ? { callee_ids: ids } : {}),
  );
});

import { unregisterDevice as unregister } from "../adapters/devices.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { unregisterDeviceSchema } from "../schemas.js";

/** Logout on a device; a user with no registered device counts as logged out. */
export const unregisterDevice = validatedOnCall(unregisterDeviceSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return unregister(context(), caller.uid, data.device_id);
});

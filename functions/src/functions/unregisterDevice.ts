import { context } from "../adapters/config.js";
import { unregisterDevice as unregister } from "../adapters/devices.js";
import { validated } from "../adapters/validatedOnCall.js";
import { unregisterDeviceSchema } from "../schemas.js";

/** Logout on a device; a user with no registered device counts as logged out. */
export const unregisterDevice = validated(unregisterDeviceSchema, (caller, data) =>
  unregister(context(), caller.uid, data.device_id),
);

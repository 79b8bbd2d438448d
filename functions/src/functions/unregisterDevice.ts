import { deployedContext } from "../adapters/deployedContext.js";
import { unregisterDevice as unregister } from "../adapters/calls/devices.js";
import { validated } from "../adapters/callable/validated.js";
import { unregisterDeviceSchema } from "../model/commands.js";
import type { DeviceResult } from "../model/wire.js";

/** Logout on a device; a user with no registered device counts as logged out. */
export const unregisterDevice = validated(
  unregisterDeviceSchema,
  (caller, data): Promise<DeviceResult> =>
    unregister(deployedContext(), caller.uid, data.device_id),
);

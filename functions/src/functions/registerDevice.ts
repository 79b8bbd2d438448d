import { deployedContext } from "../adapters/deployedContext.js";
import { registerDevice as register } from "../adapters/calls/devices.js";
import { validated } from "../adapters/callable/validated.js";
import { MAX_DEVICES } from "../params.js";
import { registerDeviceSchema } from "../model/commands.js";
import type { DeviceResult } from "../model/wire.js";

/**
 * Login on a device: keeps users/{uid}/devices/{device_id} (platform, tokens, last seen); a
 * token not given keeps the stored one (docs/protocol.md#devices-and-delivery-receipts).
 */
export const registerDevice = validated(
  registerDeviceSchema,
  (caller, data): Promise<DeviceResult> =>
    register(
      deployedContext(),
      caller.uid,
      {
        device_id: data.device_id,
        platform: data.platform,
        fcm_token: data.fcm_token,
        voip_token: data.voip_token,
        apns_env: data.apns_env,
      },
      MAX_DEVICES.value(),
    ),
);

import { registerDevice as register } from "../adapters/devices.js";
import { context } from "../adapters/config.js";
import { assertSelf, validatedOnCall } from "../adapters/validatedOnCall.js";
import { registerDeviceSchema } from "../schemas.js";

/** Login on a device: keeps users/{uid}/devices/{device_id} (platform, tokens, last seen). */
export const registerDevice = validatedOnCall(registerDeviceSchema, async (caller, data) => {
  assertSelf(caller, data.id, "id");
  return register(context(), caller.uid, {
    device_id: data.device_id,
    platform: data.platform,
    fcm_token: data.fcm_token ?? null,
    voip_token: data.voip_token ?? null,
  });
});

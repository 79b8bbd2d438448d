/**
 * A ring job committed already claimed for the request's inline send (channels/push/outbox.ts
 * pushJobDoc, inline.ts claimable): only a ring, only with the devices the request read,
 * only while the inline send is on; anything else is committed `pending`, as before.
 */
import { describe, expect, it } from "vitest";
import {
  pushJobDoc,
  LEASE_MS,
  pushJobDocSchema,
} from "../../functions/src/channels/push/outbox.js";
import { claimable } from "../../functions/src/channels/push/inline.js";
import type { PushJob } from "../../functions/src/core/push.js";
import type { RegisteredDevice } from "../../functions/src/adapters/calls/devices.js";

const AT = 1_780_000_000_000;
const job = (type: PushJob["type"]): PushJob => ({
  type,
  call_id: "call-1",
  uid: "bob",
  caller_id: "alice",
  caller_name: "Alice",
  call_type: 1,
  expires_at: AT + 60_000,
});
const phone: RegisteredDevice = {
  device_id: "phone",
  platform: "ios",
  fcm_token: "f1",
  voip_token: "v1",
  apns_env: "production",
};
const tablet: RegisteredDevice = {
  device_id: "tablet",
  platform: "android",
  fcm_token: "f2",
  voip_token: null,
  apns_env: null,
};
const known = (devices: RegisteredDevice[]) => ({ devices: new Map([["bob", devices]]) });

describe("a ring job committed claimed", () => {
  it("holds its lease from the change's time, its devices fixed and pending, one attempt, still unsent", () => {
    const doc = pushJobDoc(AT, job("ring"), [phone, tablet]);
    expect(pushJobDocSchema.safeParse(doc).success).toBe(true);
    expect(doc).toMatchObject({ status: "sending", attempts: 1 });
    expect(doc.lease_until?.toMillis()).toBe(AT + LEASE_MS);
    expect(doc.unsent_since?.toMillis()).toBe(AT);
    expect(doc.devices).toEqual({
      phone: { ...phone, state: "pending" },
      tablet: { ...tablet, state: "pending" },
    });
  });

  it("without devices it is the pending row it always was", () => {
    const doc = pushJobDoc(AT, job("ring"));
    expect(doc).toMatchObject({ status: "pending", attempts: 0, devices: null, lease_until: null });
  });

  it("is claimable only as a ring, with its user's devices read, while the inline send is on", () => {
    process.env.RINGBACK_PUSH_INLINE_BUDGET_MS = "0";
    expect(claimable(job("ring"), known([phone]))).toBeUndefined(); // tasks only
    process.env.RINGBACK_PUSH_INLINE_BUDGET_MS = "1000";
    expect(claimable(job("cancel"), known([phone]))).toBeUndefined(); // goes where the ring went
    expect(claimable(job("ring"), undefined)).toBeUndefined(); // nothing read before
    expect(claimable(job("ring"), { devices: new Map([["carol", [phone]]]) })).toBeUndefined();
    expect(claimable(job("ring"), known([phone, tablet]))).toEqual([phone, tablet]);
    expect(claimable(job("ring"), known([]))).toEqual([]); // no device: its send settles it
  });
});

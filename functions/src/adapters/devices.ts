/**
 * A user's devices: `users/{uid}/devices/{device_id}`. Every device of a user reads the same
 * `users/{uid}` doc, so all of them ring and all stop at once when one answers; a user with
 * no registered device counts as logged out (docs/protocol.md#devices-and-delivery-receipts).
 */
import { Timestamp } from "firebase-admin/firestore";
import type { Ctx } from "./context.js";
import { collections } from "./firestore.js";

export interface DeviceInput {
  device_id: string;
  platform: "ios" | "android" | "web";
  fcm_token: string | null;
  voip_token: string | null;
}

export async function registerDevice(
  ctx: Ctx,
  uid: string,
  d: DeviceInput,
): Promise<{ device_id: string; devices: number }> {
  const col = collections(ctx.db).devices(uid);
  const ref = col.doc(d.device_id);
  await ctx.db.runTransaction(async (tx) => {
    const existing = await tx.get(ref);
    const now = Timestamp.now();
    tx.set(ref, {
      ...d,
      registered_at: existing.exists ? existing.get("registered_at") : now,
      last_seen: now,
    });
  });
  const count = await col.count().get();
  return { device_id: d.device_id, devices: count.data().count };
}

export async function unregisterDevice(
  ctx: Ctx,
  uid: string,
  deviceId: string,
): Promise<{ device_id: string; devices: number }> {
  const col = collections(ctx.db).devices(uid);
  await col.doc(deviceId).delete(); // deleting a device that is not there is a success
  const count = await col.count().get();
  return { device_id: deviceId, devices: count.data().count };
}

/** Which of `uids` have no registered device (logged out), one small query each, at once. */
export async function loggedOut(ctx: Ctx, uids: readonly string[]): Promise<Set<string>> {
  const col = collections(ctx.db);
  const found = await Promise.all(
    uids.map((u) =>
      col
        .devices(u)
        .select()
        .limit(1)
        .get()
        .then((s) => s.empty),
    ),
  );
  return new Set(uids.filter((_, i) => found[i]));
}

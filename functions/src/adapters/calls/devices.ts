/**
 * A user's devices: `users/{uid}/devices/{device_id}`. Every device of a user reads the same
 * `users/{uid}` doc, so all of them ring and all stop at once when one answers; a user with
 * no registered device counts as logged out (docs/protocol.md#devices-and-delivery-receipts).
 * A push token belongs to one device of one user at a time: `ringback_push_tokens/{hash}` names its
 * owner, so a phone that changes accounts stops ringing for the old one.
 */
import { createHash } from "node:crypto";
import type { z } from "zod";
import {
  Timestamp,
  type DocumentReference,
  type Firestore,
  type QueryDocumentSnapshot,
  type Transaction,
} from "firebase-admin/firestore";
import { callerLoggedOut } from "../../core/ending.js";
import { PRIVATE_COLLECTIONS } from "../../model/collections.js";
import { storedDevice, storedTokenOwner } from "../../model/documents.js";
import type { Ctx } from "../context.js";
import { collections, readUserDoc } from "../store/firestore.js";
import { callTransaction } from "../store/transaction.js";

export interface DeviceInput {
  device_id: string;
  platform: "ios" | "android" | "web";
  /** Absent: keep the stored one. */
  fcm_token?: string | undefined;
  voip_token?: string | undefined;
  /** The APNs environment of the VoIP token (sandbox: a development build). Absent: keep. */
  apns_env?: "sandbox" | "production" | undefined;
}

type TokenField = "fcm_token" | "voip_token";
const FIELDS: readonly TokenField[] = ["fcm_token", "voip_token"];

/** Server-only: who holds each push token. */
export const PUSH_TOKENS = PRIVATE_COLLECTIONS.pushTokens;

const tokenRef = (db: Firestore, field: TokenField, token: string) =>
  db
    .collection(PUSH_TOKENS)
    .doc(`${field}-${createHash("sha256").update(token).digest("hex").slice(0, 40)}`);

type TokenOwner = z.infer<typeof storedTokenOwner>;

/** A token's owner as stored; a malformed row reads as none (the write repairs it). */
const ownerOf = (data: unknown): TokenOwner | undefined => {
  const r = storedTokenOwner.safeParse(data);
  return r.success ? r.data : undefined;
};

/** A device doc's tokens and times as stored (undefined: no doc). */
const deviceOf = (data: unknown) => (data === undefined ? undefined : storedDevice.parse(data));

export async function registerDevice(
  ctx: Ctx,
  uid: string,
  d: DeviceInput,
  maxDevices = 10,
): Promise<{ device_id: string; devices: number }> {
  const db = ctx.db;
  const col = collections(db).devices(uid);
  const ref = col.doc(d.device_id);
  // The device list is read outside the transaction, its docs inside: a query in a
  // transaction locks more than the docs it reads (concurrent logins would wait on each other).
  const listed = await col.select().get();
  const refs = [ref, ...listed.docs.filter((s) => s.id !== d.device_id).map((s) => s.ref)];
  const count = await db.runTransaction(async (tx) => {
    const snaps = await tx.getAll(...refs);
    const all = { docs: snaps.filter((s) => s.exists) };
    const existing = deviceOf(snaps[0]?.data());
    const next: Record<TokenField, string | null> = {
      fcm_token: d.fcm_token ?? existing?.fcm_token ?? null,
      voip_token: d.voip_token ?? existing?.voip_token ?? null,
    };
    // Reads first (a transaction reads before it writes): who holds each token now.
    const owners: { field: TokenField; token: string; ref: DocumentReference; was?: TokenOwner }[] =
      [];
    for (const field of FIELDS) {
      const token = next[field];
      if (!token) continue;
      const r = tokenRef(db, field, token);
      owners.push({ field, token, ref: r, was: ownerOf((await tx.get(r)).data()) });
    }
    const moved = owners.filter(
      (o) => o.was && (o.was.uid !== uid || o.was.device_id !== d.device_id),
    );
    const oldDevices = await Promise.all(
      moved.map((o) => tx.get(collections(db).devices(o.was!.uid).doc(o.was!.device_id))),
    );
    const now = Timestamp.now();
    // At most maxDevices: the ones seen longest ago go (this one was just seen).
    const others = all.docs
      .filter((s) => s.id !== d.device_id)
      .sort((a, b) => lastSeen(a.data()) - lastSeen(b.data()));
    const drop = others.slice(0, Math.max(0, others.length + 1 - maxDevices));
    const dropped = new Set(drop.map((s) => s.ref.path));
    const kept = new Set(owners.map((o) => o.ref.path));
    for (const s of drop) deleteDevice(db, tx, s.ref, s.data() ?? {}, kept);
    // The same token on another device (of this user or another): taken from it.
    moved.forEach((o, i) => {
      const old = oldDevices[i];
      if (old?.get(o.field) === o.token && !dropped.has(old.ref.path)) {
        tx.update(old.ref, { [o.field]: null });
      }
    });
    for (const field of FIELDS) {
      const old = existing?.[field];
      if (old && old !== next[field]) tx.delete(tokenRef(db, field, old));
    }
    for (const o of owners) tx.set(o.ref, { uid, device_id: d.device_id });
    tx.set(ref, {
      device_id: d.device_id,
      platform: d.platform,
      ...next,
      apns_env: d.apns_env ?? existing?.apns_env ?? null,
      registered_at:
        existing?.registered_at !== undefined ? Timestamp.fromMillis(existing.registered_at) : now,
      last_seen: now,
    });
    return others.length + 1 - drop.length;
  });
  return { device_id: d.device_id, devices: count };
}

const lastSeen = (data: unknown): number => deviceOf(data)?.last_seen ?? 0;

/** Deletes a device doc and the token records that name it (read as `data`). */
function deleteDevice(
  db: Firestore,
  tx: Transaction,
  ref: DocumentReference,
  data: Record<string, unknown>,
  keep: ReadonlySet<string> = new Set(),
): void {
  tx.delete(ref);
  const stored = deviceOf(data);
  for (const field of FIELDS) {
    const token = stored?.[field];
    const t = token ? tokenRef(db, field, token) : undefined;
    if (t && !keep.has(t.path)) tx.delete(t);
  }
}

/**
 * Logout on a device. Logging out the last device while one's own call still rings cancels
 * it, as a caller going offline does (`caller_offline`): the invitees stop ringing.
 */
export async function unregisterDevice(
  ctx: Ctx,
  uid: string,
  deviceId: string,
): Promise<{ device_id: string; devices: number }> {
  const db = ctx.db;
  const col = collections(db).devices(uid);
  const listed = await col.select().get();
  const others = listed.docs.filter((s) => s.id !== deviceId).length;
  await db.runTransaction(async (tx) => {
    const mine = await tx.get(col.doc(deviceId));
    if (mine.exists) deleteDevice(db, tx, mine.ref, mine.data() ?? {});
  });
  const left = others;
  if (left === 0) await cancelOwnRinging(ctx, uid);
  return { device_id: deviceId, devices: left };
}

async function cancelOwnRinging(ctx: Ctx, uid: string): Promise<void> {
  const user = await readUserDoc(ctx.db, uid);
  if (user?.status !== "calling" || !user.call_id) return;
  await callTransaction(ctx, user.call_id, { act: (d) => callerLoggedOut(d, uid) }).catch(
    () => undefined,
  );
}

/**
 * Drops a token a push service called unregistered, from the device that still holds it
 * (not if it has registered a new one meanwhile).
 */
export async function dropToken(
  db: Firestore,
  uid: string,
  deviceId: string,
  channel: "fcm" | "voip",
  token: string,
): Promise<void> {
  const field: TokenField = channel === "fcm" ? "fcm_token" : "voip_token";
  const ref = collections(db).devices(uid).doc(deviceId);
  const tref = tokenRef(db, field, token);
  await db.runTransaction(async (tx) => {
    const [dev, owner] = await Promise.all([tx.get(ref), tx.get(tref)]);
    if (dev.get(field) === token) tx.update(ref, { [field]: null });
    const o = ownerOf(owner.data());
    if (o?.uid === uid && o.device_id === deviceId) tx.delete(tref);
  });
}

/** A registered device as a ring push goes to it (its platform and tokens). */
export interface RegisteredDevice {
  device_id: string;
  platform: "ios" | "android" | "web";
  fcm_token: string | null;
  voip_token: string | null;
  apns_env: "sandbox" | "production" | null;
}

/**
 * Each of `uids`' registered devices, one query a user, side by side. A start and an
 * invitation read them before their transaction (callees.ts): an empty list is a logged-out
 * callee, and the rest is what the ring push goes to (channels/push/carrier.ts), so the ring
 * job is committed already claimed and its send needs no read of its own.
 */
export async function registeredDevices(
  db: Firestore,
  uids: readonly string[],
): Promise<Map<string, RegisteredDevice[]>> {
  const col = collections(db);
  const lists = await Promise.all(uids.map((u) => col.devices(u).get()));
  return new Map(uids.map((u, i) => [u, (lists[i]?.docs ?? []).map(registered)]));
}

function registered(s: QueryDocumentSnapshot): RegisteredDevice {
  const d = storedDevice.parse(s.data());
  return {
    device_id: s.id,
    platform: s.get("platform") as RegisteredDevice["platform"], // registerDevice checked it
    fcm_token: d.fcm_token,
    voip_token: d.voip_token,
    apns_env: d.apns_env,
  };
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

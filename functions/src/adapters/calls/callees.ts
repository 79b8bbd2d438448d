/**
 * Who a start or an invitation names, found before its transaction and side by side: which
 * callees are Firebase Auth users (with their names), and which have no registered device.
 */
import { HttpsError } from "firebase-functions/v2/https";
import { DomainError } from "../../core/errors.js";
import { MAX_INVITEES } from "../../core/types.js";
import { lookupCallees, type Lookup } from "./authUsers.js";
import { phase } from "../timings.js";
import type { Ctx } from "../context.js";
import { loggedOut, registeredDevices, type RegisteredDevice } from "./devices.js";
import { CHANNELS } from "../../channels/index.js";

export interface Callees extends Lookup {
  /** Found callees with no registered device (logged out). */
  loggedOut: Set<string>;
  /** Each callee's registered devices, for the ring push (UnitOfWork.knowDevices). */
  devices: Map<string, RegisteredDevice[]>;
}

/** Refuses more callees than the param allows, naming oneself, and a list of no user. */
export async function findCallees(
  ctx: Ctx,
  actor: string,
  callees: readonly { id: string; name?: string }[],
): Promise<Callees> {
  checkCallees(ctx, actor, callees);
  return lookUp(ctx, actor, callees);
}

/** The checks that need no lookup: more callees than the param allows, naming oneself. */
export function checkCallees(
  ctx: Ctx,
  actor: string,
  callees: readonly { id: string; name?: string }[],
): void {
  const max = ctx.cfg.maxInvitees ?? MAX_INVITEES;
  if (callees.length > max) {
    throw new HttpsError("invalid-argument", `callees: at most ${max} in one command.`, {
      reason: "invalid_argument",
      field: "callees",
    });
  }
  if (callees.some((c) => c.id === actor)) {
    throw new HttpsError("invalid-argument", "callees: must not include yourself.", {
      reason: "invalid_argument",
      field: "callees",
    });
  }
}

/**
 * The lookups (Auth users and devices, side by side); refuses a list of no user. startCall
 * runs this beside its transaction's reads (start.ts), after checkCallees.
 */
export async function lookUp(
  ctx: Ctx,
  actor: string,
  callees: readonly { id: string; name?: string }[],
): Promise<Callees> {
  const ids = callees.map((c) => c.id);
  const [{ found, missing, actorName }, { offline, devices }] = await Promise.all([
    phase("auth_lookup", () => lookupCallees(actor, callees)),
    phase("device_check", () => deviceCheck(ctx, ids)),
  ]);
  if (found.length === 0) {
    // A DomainError: inside startCall's transaction it still commits the charged bucket.
    throw new DomainError("not_found", "user_not_found", "None of the callees is a user.", {
      error_invitees: missing,
    });
  }
  return { found, missing, loggedOut: offline, devices, ...(actorName ? { actorName } : {}) };
}

/**
 * Who is logged out (no registered device). With a channel on that uses the devices (push:
 * its ring job is committed already claimed, channels/push/carrier.ts), the same round trip
 * reads them whole; else one key a callee.
 */
async function deviceCheck(
  ctx: Ctx,
  ids: readonly string[],
): Promise<{ offline: Set<string>; devices: Map<string, RegisteredDevice[]> }> {
  if (!CHANNELS.some((c) => c.usesDevices && c.on(ctx))) {
    return { offline: await loggedOut(ctx, ids), devices: new Map() };
  }
  const devices = await registeredDevices(ctx.db, ids);
  const offline = new Set(ids.filter((u) => (devices.get(u) ?? []).length === 0));
  return { offline, devices };
}

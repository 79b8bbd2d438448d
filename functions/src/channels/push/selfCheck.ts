/**
 * The push self-check (docs/push.md#self-check): one FCM dry-run send (`validate_only`, no
 * device is woken) to a registered token proves the credentials, the FCM API and the
 * service account's role before a real ring needs them. The push task runs it when an
 * instance starts (best effort, logged); `npm run push -- check` runs it for an operator.
 * It never prunes: a stale token only shows that FCM answered about the token, not us.
 */
import { FieldPath, type Firestore } from "firebase-admin/firestore";
import type { Message } from "firebase-admin/messaging";
import { PUSH_TOKENS } from "../../adapters/calls/devices.js";
import { fcmOutcome, type FcmTransport } from "./fcmSender.js";
import { collections } from "../../adapters/store/firestore.js";
import { storedTokenOwner } from "../../model/documents.js";

export interface CheckResult {
  /** False only when the setup is wrong or FCM could not be asked. */
  ok: boolean;
  /** skipped: no device has an FCM token yet. */
  skipped?: boolean;
  detail: string;
  code?: string;
  fix?: string;
  device?: { uid: string; device_id: string };
}

/** A device with an FCM token: `uid`'s, or any (the token registry, by document id). */
async function someToken(
  db: Firestore,
  uid?: string,
): Promise<{ uid: string; device_id: string; token: string } | undefined> {
  if (uid) {
    const devs = await collections(db).devices(uid).get();
    const d = devs.docs.find((s) => typeof s.get("fcm_token") === "string");
    return d && { uid, device_id: d.id, token: d.get("fcm_token") as string };
  }
  // Token records are named `fcm_token-<hash>`: a range on the id needs no index.
  const owners = await db
    .collection(PUSH_TOKENS)
    .where(FieldPath.documentId(), ">=", "fcm_token-")
    .where(FieldPath.documentId(), "<", "fcm_token.")
    .limit(5)
    .get();
  for (const o of owners.docs) {
    const owner = storedTokenOwner.safeParse(o.data());
    if (!owner.success) continue; // not one a registration wrote: look at the next
    const { uid: u, device_id } = owner.data;
    const dev = await collections(db).devices(u).doc(device_id).get();
    const token: unknown = dev.get("fcm_token");
    if (typeof token === "string" && token) return { uid: u, device_id, token };
  }
  return undefined;
}

/** One dry run; `dryRun` must send with validate_only (`sendEach(msgs, true)`). */
export async function pushSelfCheck(
  db: Firestore,
  dryRun: FcmTransport,
  opts: { uid?: string } = {},
): Promise<CheckResult> {
  const found = await someToken(db, opts.uid);
  if (!found) {
    return { ok: true, skipped: true, detail: "no device has an FCM token yet; nothing to check" };
  }
  const device = { uid: found.uid, device_id: found.device_id };
  const msg: Message = { token: found.token, data: { type: "check" } };
  let res;
  try {
    res = await dryRun([msg]);
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    const o = fcmOutcome(code, (e as Error).message);
    const fix = o.ok ? undefined : (o.fix ?? (o.error === "transient" ? UNREACHED : undefined));
    return {
      ok: false,
      detail: `the dry run failed: ${code}`,
      code,
      device,
      ...(fix ? { fix } : {}),
    };
  }
  const r = res.responses[0];
  if (r?.success) {
    return {
      ok: true,
      detail: "FCM accepted a dry-run send: credentials and role are fine",
      device,
    };
  }
  const o = fcmOutcome(r?.error?.code, r?.error?.message);
  if (o.ok) return { ok: true, detail: "FCM accepted", device };
  if (o.error === "unregistered") {
    return {
      ok: true,
      detail: `FCM reached, and said this token is stale (${o.code}); the setup is fine`,
      code: o.code,
      device,
    };
  }
  return {
    ok: false,
    detail: `FCM refused the dry run (${o.error}: ${o.code})`,
    code: o.code,
    device,
    ...fixOf(o),
  };
}

const UNREACHED =
  "FCM or the credentials' token server could not be reached: check the network and the " +
  "credentials (locally: gcloud auth application-default login)";

const fixOf = (o: { ok: boolean; fix?: string }) => (o.fix ? { fix: o.fix } : {});

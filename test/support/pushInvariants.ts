/**
 * The push oracle of the stress model (docs/protocol.md#offline-push), checked once a
 * scenario's push jobs have all run, against what the local push recorder received:
 *  P1 at most one delivered ring and one delivered cancel per (call, user, device);
 *  P2 a cancel only to a device that got the ring;
 *  P3 every device that got a ring gets exactly one cancel once that user's ringing ended,
 *     unless they answered on that device; none while they still ring;
 *  P4 no ring delivered to a device after that device's cancel (a late ring would ring on
 *     for a call that the device has already been told is over);
 *  P5 no push at all to an invitee left undelivered (they blocked their inviter).
 */
import type { Firestore } from "firebase-admin/firestore";
import { isPending, type UserState } from "../../functions/src/core/types.js";
import { pushes, type RecordedPush } from "./pushes.js";
import { names } from "./names.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";

const OPEN = ["pending", "sending", "retry"];

/** Waits until no push job is left to run (the queue retries within seconds). */
async function drained(db: Firestore, timeoutMs = 60_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await db
      .collection(PRIVATE_COLLECTIONS.pushJobs)
      .where("status", "in", OPEN)
      .get();
    if (open.empty) return [];
    if (Date.now() > until)
      return [`P0: push jobs still open: ${open.docs.map((d) => d.id).join(", ")}`];
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function checkPushes(db: Firestore): Promise<{ violations: string[]; rings: number }> {
  const violations = await drained(db);
  const [calls, privates, jobs, got] = await Promise.all([
    db.collection(names.calls).get(),
    db.collectionGroup("private").get(), // who was not delivered lives in the private part
    db.collection(PRIVATE_COLLECTIONS.pushJobs).where("type", "==", "cancel").get(),
    pushes(),
  ]);
  const states = new Map<string, UserState>();
  for (const c of calls.docs) {
    for (const [uid, u] of Object.entries(c.get("users") as Record<string, { state: UserState }>)) {
      states.set(`${c.id}/${uid}`, u.state);
    }
  }
  const undelivered = new Set<string>();
  for (const p of privates.docs) {
    const users = (p.get("users") ?? {}) as Record<string, { undelivered?: boolean }>;
    for (const [uid, u] of Object.entries(users))
      if (u.undelivered) undelivered.add(`${p.ref.parent.parent?.id}/${uid}`);
  }
  for (const p of got)
    if (undelivered.has(`${p.data.call_id}/${p.uid}`))
      violations.push(`P5: ${p.data.type} ${p.data.call_id}/${p.uid} to an undelivered invitee`);
  const except = new Map<string, string | undefined>();
  for (const j of jobs.docs)
    except.set(`${j.get("call_id")}/${j.get("uid")}`, j.get("job.except_device"));
  const ok = got.filter((p) => p.ok && states.has(`${p.data.call_id}/${p.uid}`));
  const count = new Map<string, number>();
  const key = (p: RecordedPush, type = p.data.type) =>
    `${type} ${p.data.call_id}/${p.uid}/${p.device_id}`;
  for (const p of ok) count.set(key(p), (count.get(key(p)) ?? 0) + 1);
  for (const [k, n] of count) if (n > 1) violations.push(`P1: ${k} delivered ${n} times`);
  for (const p of ok.filter((x) => x.data.type === "cancel")) {
    if (!count.has(key(p, "ring"))) violations.push(`P2: ${key(p)} without a ring`);
  }
  const cancelSeq = new Map<string, number>();
  for (const p of ok.filter((x) => x.data.type === "cancel")) cancelSeq.set(key(p, "ring"), p.seq);
  const rings = ok.filter((p) => p.data.type === "ring");
  for (const p of rings) {
    const c = cancelSeq.get(key(p));
    if (c !== undefined && p.seq > c) violations.push(`P4: ${key(p)} delivered after its cancel`);
  }
  for (const p of rings) {
    const who = `${p.data.call_id}/${p.uid}`;
    const state = states.get(who) as UserState;
    const cancels = count.get(key(p, "cancel")) ?? 0;
    const answeredHere = except.get(who) === p.device_id;
    const want = isPending(state) || answeredHere ? 0 : 1;
    if (cancels !== want) {
      violations.push(`P3: ${key(p, "cancel")}: ${cancels} cancels, want ${want} (user ${state})`);
    }
  }
  return { violations, rings: rings.length };
}

/**
 * Sending a push job against the real Firestore emulator, with a fake sender in process
 * (docs/protocol.md#offline-push): no ring after its deadline or after its cancel, a cancel
 * to exactly the devices the ring reached (waiting out a ring in flight), at most once per
 * device however often a task runs, transient failures retried only until the deadline.
 */
import { describe, expect, it } from "vitest";
import { deliverPush, type Senders } from "../../functions/src/channels/push/delivery.js";
import type { PushMessage, SendOutcome } from "../../functions/src/channels/push/messages.js";
import { pushJobDoc, pushJobId } from "../../functions/src/channels/push/outbox.js";
import type { PushJob } from "../../functions/src/core/push.js";
import { adminDb } from "../support/admin.js";
import { PRIVATE_COLLECTIONS } from "../../functions/src/model/collections.js";

let n = 0;

class Fake {
  readonly sent: PushMessage[] = [];
  constructor(private readonly answer: (m: PushMessage) => SendOutcome = () => ({ ok: true })) {}
  readonly name = "fake";
  send = async (msgs: readonly PushMessage[]) => {
    this.sent.push(...msgs);
    return msgs.map((m) => this.answer(m));
  };
}
const sendersOf = (f: Fake): Senders => ({ fcm: f, voip: f });

/** A user with `k` Android devices, and the ring (and cancel) jobs of a call to them. */
async function setUp(k = 2, ringFor = 60_000) {
  const uid = `pd-user-${n++}-${Date.now()}`;
  const callId = `pd-call-${n++}-${Date.now()}`;
  const db = adminDb();
  for (let i = 0; i < k; i++) {
    await db.doc(`users/${uid}/devices/d${i}`).set({
      device_id: `d${i}`,
      platform: "android",
      fcm_token: `tok-${uid}-${i}`,
      voip_token: null,
    });
  }
  const now = Date.now();
  const job: PushJob = {
    type: "ring",
    call_id: callId,
    uid,
    caller_id: "alice",
    caller_name: "Alice",
    call_type: 1,
    expires_at: now + ringFor,
  };
  const write = async (j: PushJob) => {
    const doc = pushJobDoc(now, j);
    await db.collection(PRIVATE_COLLECTIONS.pushJobs).doc(doc.job_id).set(doc);
    return doc.job_id;
  };
  const ringId = await write(job);
  const cancel = (except?: string) =>
    write({
      ...job,
      type: "cancel",
      reason: "answered_elsewhere",
      ...(except ? { except_device: except } : {}),
    });
  return { uid, callId, ringId, cancel, db };
}

const status = async (id: string) =>
  (await adminDb().collection(PRIVATE_COLLECTIONS.pushJobs).doc(id).get()).get("status") as string;

describe("deliverPush", () => {
  it("rings each device once, however often the task runs; the cancel spares the answering device", async () => {
    const { ringId, cancel } = await setUp(3);
    const f = new Fake();
    expect(await deliverPush(adminDb(), ringId, sendersOf(f))).toBe("sent");
    expect(await deliverPush(adminDb(), ringId, sendersOf(f))).toBe("skipped"); // a retried task
    expect(f.sent.map((m) => m.device_id).sort()).toEqual(["d0", "d1", "d2"]);
    const cancelId = await cancel("d1");
    expect(await deliverPush(adminDb(), cancelId, sendersOf(f))).toBe("sent");
    expect(await deliverPush(adminDb(), cancelId, sendersOf(f))).toBe("skipped");
    const cancels = f.sent.filter((m) => m.data.type === "cancel");
    expect(cancels.map((m) => m.device_id).sort()).toEqual(["d0", "d2"]);
    expect(await status(ringId)).toBe("done");
  });

  it("a cancel that comes first stops the ring: neither is sent (no ghost ring)", async () => {
    const { ringId, cancel } = await setUp(2);
    const f = new Fake();
    const cancelId = await cancel();
    expect(await deliverPush(adminDb(), cancelId, sendersOf(f))).toBe("sent");
    expect(await deliverPush(adminDb(), ringId, sendersOf(f))).toBe("skipped");
    expect(f.sent).toEqual([]);
    expect(await status(ringId)).toBe("superseded");
  });

  it("a cancel waits while its ring is in flight, then goes to the devices it reached", async () => {
    const { ringId, cancel } = await setUp(2);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow: Senders = {
      fcm: {
        name: "slow",
        send: async (msgs) => {
          await gate;
          return msgs.map((m) =>
            m.device_id === "d1" ? { ok: false, error: "unregistered", code: "x" } : { ok: true },
          );
        },
      },
      voip: null,
    };
    const ringing = deliverPush(adminDb(), ringId, slow);
    await new Promise((r) => setTimeout(r, 300)); // the ring holds its lease now
    const cancelId = await cancel();
    const f = new Fake();
    expect(await deliverPush(adminDb(), cancelId, sendersOf(f))).toBe("wait");
    release();
    expect(await ringing).toBe("sent");
    expect(await deliverPush(adminDb(), cancelId, sendersOf(f))).toBe("sent");
    expect(f.sent.map((m) => m.device_id)).toEqual(["d0"]); // d1's token was unregistered
  });

  it("no ring after its deadline; transient failures retried only until then", async () => {
    const late = await setUp(1, -1);
    const f = new Fake();
    expect(await deliverPush(adminDb(), late.ringId, sendersOf(f))).toBe("skipped");
    expect(f.sent).toEqual([]);
    expect(await status(late.ringId)).toBe("expired");

    const soon = await setUp(2, 1500);
    let fails = 0;
    const flaky = new Fake((m) =>
      m.device_id === "d0"
        ? { ok: true }
        : (fails++, { ok: false, error: "transient", code: "503" }),
    );
    expect(await deliverPush(adminDb(), soon.ringId, sendersOf(flaky))).toBe("retry");
    await new Promise((r) => setTimeout(r, 1600));
    expect(await deliverPush(adminDb(), soon.ringId, sendersOf(flaky))).toBe("skipped");
    expect(await status(soon.ringId)).toBe("expired");
    expect(flaky.sent.filter((m) => m.device_id === "d0")).toHaveLength(1); // never twice
    expect(fails).toBe(1);
  });

  it("job ids are task-name safe and the same on every retry", () => {
    const id = pushJobId("call_1", "weird uid/with:chars", "ring");
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(pushJobId("call_1", "weird uid/with:chars", "ring")).toBe(id);
  });
});

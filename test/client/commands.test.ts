/** The commands the other files do not use, through @ringback/client: devices, join, invite. */
import { afterAll, describe, expect, it } from "vitest";
import { RingbackError } from "../../client/src/index.js";
import { adminDb } from "../support/admin.js";
import { closeAll } from "../support/clients.js";
import { closeSdkUsers, connected, ringing, sdkUser, trio } from "./sdkUsers.js";
import { userPath } from "../support/names.js";

afterAll(async () => {
  await closeSdkUsers();
  await closeAll();
});

describe("@ringback/client: more commands", () => {
  it("registers and unregisters this device", async () => {
    const bob = await sdkUser("Bob", { deviceId: "bob-phone" });
    expect(await bob.rb.registerDevice({ platform: "web", fcm_token: "t" })).toEqual({
      device_id: "bob-phone",
      devices: 1,
    });
    const stored = await adminDb()
      .doc(`${userPath(bob.uid)}/devices/bob-phone`)
      .get();
    expect(stored.get("platform")).toBe("web");
    expect(await bob.rb.unregisterDevice()).toEqual({ device_id: "bob-phone", devices: 0 });

    // No deviceId option: the SDK's own id for this session (web-<profile>-<tab>).
    const carol = await sdkUser("Carol");
    const mine = await carol.rb.registerDevice({ platform: "web" });
    expect(mine).toEqual({ device_id: carol.rb.deviceId, devices: 1 });
    expect(mine.device_id).toMatch(/^web-[A-Za-z0-9]+-[A-Za-z0-9]+$/);
  });

  it("advanced mode: invite answers who rang, a decliner joins later and quits", async () => {
    const [alice, bob, carol] = await trio();
    const call_id = await connected(alice, bob, { mode: "advanced" });
    const invited = await bob.rb.invite(call_id, [{ id: carol.uid }]);
    expect(invited).toMatchObject({ call_id, invited: [carol.uid], busy: [], already: [] });
    await carol.waitState((s) => s.status === "ringing", "carol ringing");
    await carol.rb.decline(call_id);
    await carol.waitState((s) => s.status === "idle", "carol idle");

    const joined = await carol.rb.join(call_id);
    expect(joined).toMatchObject({ call_id, state: "ongoing", user_state: "accepted" });
    await carol.waitState((s) => s.status === "in_call" && s.callId === call_id, "carol in");
    await alice.waitEvent("userStateChanged", call_id);

    const quit = await carol.rb.quit(call_id);
    expect(quit.user_state).toBe("quit");
    await alice.rb.end(call_id);
    await bob.waitState((s) => s.lastCall?.id === call_id, "bob: over");
  });

  it("decline as busy, and a refused command keeps the server's details", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const call_id = await ringing(alice, bob);
    await bob.rb.decline(call_id, { busy: true });
    const declined = await alice.waitEvent("declined", call_id);
    expect(declined.e).toMatchObject({ busy: true, type: 2 });
    const late = await bob.rb.accept(call_id).catch((e) => e);
    expect(late).toBeInstanceOf(RingbackError);
    expect(late.code).toBe("failed-precondition");
    expect(late.details).toMatchObject({ call_id, call_state: "ended" });
  });
});

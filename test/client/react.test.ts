// @vitest-environment jsdom
/**
 * @ringback/client/react on the emulators: real users, real SDK handles, the hooks rendered
 * by React Testing Library. Each state a calling app shows is rendered and clicked through:
 * idle, outgoing ringing, incoming ringing, in call, ended, and the history after it.
 */
import {
  act,
  cleanup,
  fireEvent,
  render,
  renderHook,
  waitFor,
  within,
} from "@testing-library/react";
import { createElement as h, useState, type ReactNode } from "react";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Ringback } from "../../client/src/index.js";
import {
  RingbackProvider,
  useCallHistory,
  useIncomingCall,
  useRingback,
  useRingbackEvent,
  useRingbackState,
} from "../../client/src/react/index.js";
import { closeAll } from "../support/clients.js";
import { closeSdkUsers, sdkUser, type SdkUser } from "./sdkUsers.js";

// Emulator round trips take seconds, not RTL's 1 s; a function's first (cold) call on a busy
// machine has taken 30 s. A wait ends as soon as what it waits for is on the screen.
const WAIT = { timeout: 45_000, interval: 50 };

afterEach(() => cleanup()); // no vitest globals, so RTL cannot register this itself
afterAll(async () => {
  await closeSdkUsers();
  await closeAll();
});

/** A calling app's screen, built on the hooks only. */
function Phone({ callee }: { callee?: string }): ReactNode {
  const { state, rb } = useRingback();
  const incoming = useIncomingCall();
  const history = useCallHistory({ count: 10 });
  const rows = history.calls.map((c) =>
    h("li", { key: c.call_id }, `${c.call_id} ${c.end_reason ?? c.state} ${c.user_state}`),
  );
  const [failed, setFailed] = useState("");
  // a refused command shows on the screen (and in the failure's DOM dump), never unhandled
  const button = (label: string, onClick: () => Promise<unknown>) =>
    h(
      "button",
      { key: label, onClick: () => void onClick().catch((e: Error) => setFailed(e.message)) },
      label,
    );
  let screen = "idle";
  const buttons: ReactNode[] = [];
  if (!state.uid) screen = "signed out";
  else if (!state.live) screen = "connecting";
  else if (incoming) {
    const { invitation, call } = incoming;
    screen = `incoming from ${invitation.caller.name}${call ? ` (${call.users.length} in the call)` : ""}`;
    buttons.push(
      button("Accept", () => incoming.accept()),
      button("Decline", () => incoming.decline()),
    );
  } else if (state.status === "calling") {
    const others = state.call?.users.filter((u) => u.id !== state.uid) ?? [];
    screen = `calling ${others.map((u) => `${u.name}:${u.state}`).join(",")}`;
  } else if (state.status === "in_call" && state.callId) {
    const id = state.callId;
    screen = `in call${state.call?.connectedAt ? " (connected)" : ""}`;
    buttons.push(button("Hang up", () => rb.end(id)));
  } else {
    if (state.lastCall) screen = `idle, last call ${state.lastCall.endReason}`;
    if (callee) buttons.push(button("Call", () => rb.ring({ callees: [{ id: callee }], type: 2 })));
  }
  return h(
    "div",
    null,
    h("p", { "data-testid": "screen" }, screen),
    failed && h("p", null, `failed: ${failed}`),
    ...buttons,
    h("ul", { "data-testid": "history" }, rows),
  );
}

const withRingback = (rb: Ringback) => (props: { children?: ReactNode }) =>
  h(RingbackProvider, { ringback: rb }, props.children);

function show(user: SdkUser, callee?: SdkUser) {
  const view = within(
    render(h(Phone, callee ? { callee: callee.uid } : {}), { wrapper: withRingback(user.rb) })
      .container,
  );
  return {
    screen: () => view.getByTestId("screen").textContent ?? "",
    history: () => view.getByTestId("history").textContent ?? "",
    rows: () => view.getByTestId("history").querySelectorAll("li").length,
    click: async (label: string) =>
      fireEvent.click(await view.findByRole("button", { name: label }, WAIT)),
    until: (pred: () => boolean | undefined, what: string) =>
      waitFor(() => expect(pred(), `${user.name}: ${what}`).toBe(true), WAIT),
  };
}

describe("@ringback/client/react on the emulators", { timeout: 180_000 }, () => {
  it("renders every state: idle, ringing both ways, in call, ended, and the history", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const a = show(alice, bob);
    const b = show(bob);
    await a.until(() => a.screen() === "idle", "idle");
    expect(b.screen()).toBe("idle");
    expect(a.rows() + b.rows()).toBe(0); // new users: an empty history

    await a.click("Call");
    await a.until(
      () => a.screen() === "calling Bob:inviting" || a.screen() === "calling Bob:received",
      "calling Bob",
    );
    await b.until(() => b.screen() === "incoming from Alice (2 in the call)", "incoming");
    const callId = bob.rb.state.callId as string;
    expect(alice.rb.state.callId).toBe(callId);

    await b.click("Accept");
    for (const v of [a, b]) await v.until(() => v.screen() === "in call (connected)", "in call");

    await b.click("Hang up");
    for (const v of [a, b]) {
      await v.until(() => v.screen() === "idle, last call completed", "ended");
      // fetched again once the call was over: the row says how it ended, never "ongoing"
      await v.until(() => v.history() === `${callId} completed quit`, "history row");
    }
  });

  it("a declined call: the callee's decline from useIncomingCall, the caller's outcome and history", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const a = show(alice, bob);
    const b = show(bob);
    await a.click("Call");
    await b.click("Decline");
    await a.until(() => a.screen() === "idle, last call declined", "declined");
    await b.until(() => b.screen() === "idle, last call declined", "declined");
    const callId = alice.rb.state.lastCall?.id;
    await a.until(() => a.history() === `${callId} declined quit`, "caller's row");
    await b.until(() => b.history() === `${callId} declined rejected`, "callee's row");
  });

  it("hooks: events while mounted, history pages, sign-out", async () => {
    const alice = await sdkUser("Alice");
    const bob = await sdkUser("Bob");
    const heard: string[] = [];
    const { result, unmount } = renderHook(
      () => {
        useRingbackEvent("incoming", (e) => heard.push(`incoming ${e.caller.name}`));
        useRingbackEvent("canceled", (e) => heard.push(`canceled by ${e.callerId === alice.uid}`));
        return { state: useRingbackState(), history: useCallHistory({ count: 1 }) };
      },
      { wrapper: withRingback(bob.rb) },
    );
    for (const n of [1, 2]) {
      const { call_id } = await alice.rb.ring({ callees: [{ id: bob.uid }], type: 1 });
      await waitFor(() => expect(result.current.state.incoming?.callId).toBe(call_id), WAIT);
      await alice.rb.cancel(call_id);
      await waitFor(() => expect(result.current.state.lastCall?.id).toBe(call_id), WAIT);
      await waitFor(() => expect(result.current.history.calls[0]?.call_id).toBe(call_id), WAIT);
      expect(result.current.history.calls).toHaveLength(1);
      expect(result.current.history.hasMore).toBe(n === 2);
    }
    const story = ["incoming Alice", "canceled by true"];
    await waitFor(() => expect(heard).toEqual([...story, ...story]), WAIT);

    await act(() => result.current.history.loadMore());
    expect(result.current.history.calls.map((c) => c.end_reason)).toEqual(["canceled", "canceled"]);
    expect(result.current.history.hasMore).toBe(false);
    expect(result.current.history.error).toBeNull();

    await act(() => bob.signOut());
    await waitFor(
      () => expect(result.current.state).toMatchObject({ uid: null, live: false }),
      WAIT,
    );
    expect(result.current.history.calls).toEqual([]);
    unmount();
  });

  it("says what is missing when a hook has no provider", () => {
    expect(() => renderHook(() => useRingback())).toThrow(/RingbackProvider/);
  });
});

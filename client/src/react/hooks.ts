/**
 * The state hooks. Each reads the handle's whole state through `useSyncExternalStore`, so a
 * field the SDK adds to `RingbackState` (or to its call views) reaches the app unchanged.
 */
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from "react";
import type { RingbackEvents } from "../events.js";
import type { Ringback } from "../ringback.js";
import type { RingbackState } from "../state.js";
import type {
  CallView,
  CommandResult,
  DeclineInput,
  ExtendedDataInput,
  Invitation,
} from "../types.js";
import { useRingbackClient } from "./context.js";

/**
 * The handle's state, re-rendering on every change. The snapshot is the handle's own state
 * object, which the SDK replaces (never mutates) on a change, so it is stable between changes.
 */
export function useRingbackState(): RingbackState {
  return useStateOf(useRingbackClient());
}

function useStateOf(rb: Ringback): RingbackState {
  const subscribe = useCallback((onChange: () => void) => rb.on("state", onChange), [rb]);
  const snapshot = useCallback(() => rb.state, [rb]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export interface UseRingback {
  /** The state to render (`status`, `call`, `incoming`, `lastCall`, …), always current. */
  state: RingbackState;
  /** The handle: every command (`ring`, `accept`, `end`, …), `on`, `resync`. */
  rb: Ringback;
}

/** The state to render and the handle to act with. */
export function useRingback(): UseRingback {
  const rb = useRingbackClient();
  const state = useStateOf(rb);
  return useMemo(() => ({ state, rb }), [state, rb]);
}

export interface IncomingCall {
  /** The invitation ringing now (`users/{uid}.incoming`): caller, type, deadline, data. */
  invitation: Invitation;
  /** The ringing call's doc, once read (its users and their states), else null. */
  call: CallView | null;
  accept(input?: ExtendedDataInput): Promise<CommandResult>;
  /** `{ busy: true }` declines as busy. */
  decline(input?: DeclineInput): Promise<CommandResult>;
}

/** The call ringing this user now, with accept and decline bound to it; null otherwise. */
export function useIncomingCall(): IncomingCall | null {
  const { state, rb } = useRingback();
  const invitation = state.status === "ringing" ? state.incoming : null;
  const call = invitation && state.call?.id === invitation.callId ? state.call : null;
  return useMemo(
    () =>
      invitation && {
        invitation,
        call,
        accept: (input?: ExtendedDataInput) => rb.accept(invitation.callId, input),
        decline: (input?: DeclineInput) => rb.decline(invitation.callId, input),
      },
    [invitation, call, rb],
  );
}

/**
 * Calls `listener` on every `type` event while mounted (the latest `listener`: no need to
 * memoize it). Any event of `RingbackEvents`, the ones the SDK adds later too.
 */
export function useRingbackEvent<K extends keyof RingbackEvents>(
  type: K,
  listener: (e: RingbackEvents[K]) => void,
): void {
  const rb = useRingbackClient();
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => rb.on(type, (e) => latest.current(e)), [rb, type]);
}

/**
 * The React binding's one piece of shared plumbing: the context that carries the app's
 * Ringback handle (made by `getRingback(app)`; the app owns it and disposes it).
 */
import { createContext, createElement, useContext, type ReactNode } from "react";
import type { Ringback } from "../ringback.js";

const RingbackContext = createContext<Ringback | null>(null);
RingbackContext.displayName = "Ringback";

export interface RingbackProviderProps {
  /** The handle of your firebase app: `getRingback(app, options)`. */
  ringback: Ringback;
  children?: ReactNode;
}

/** Makes `ringback` the handle every Ringback hook below it uses. */
export function RingbackProvider({ ringback, children }: RingbackProviderProps): ReactNode {
  return createElement(RingbackContext.Provider, { value: ringback }, children);
}

/** The handle of the nearest `RingbackProvider`; throws outside one (a wiring mistake). */
export function useRingbackClient(): Ringback {
  const rb = useContext(RingbackContext);
  if (!rb) throw new Error("Ringback hooks need a <RingbackProvider ringback={…}> above them.");
  return rb;
}

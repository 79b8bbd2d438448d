/**
 * @ringback/client/react: the React binding (React 18 or later, a peer dependency). Put a
 * `RingbackProvider` at the top, then render from the hooks.
 */
export { RingbackProvider, useRingbackClient, type RingbackProviderProps } from "./context.js";
export {
  useIncomingCall,
  useRingback,
  useRingbackEvent,
  useRingbackState,
  type IncomingCall,
  type UseRingback,
} from "./hooks.js";
export { useCallHistory, type CallHistory, type CallHistoryOptions } from "./history.js";

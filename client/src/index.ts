/** @ringback/client: the typed client of Ringback call-invitation signaling. */
export { getRingback, type Ringback, type RingbackOptions } from "./ringback.js";
export type { Commands } from "./commands.js";
export { RingbackError, toRingbackError, type RingbackErrorCode } from "./errors.js";
export type {
  AcceptedEvent,
  BackgroundError,
  CanceledEvent,
  DeclinedEvent,
  EndedEvent,
  IncomingEvent,
  InvitationTimeoutEvent,
  InviteesAnsweredTimeoutEvent,
  PeerTimeoutEvent,
  RingbackEvents,
  UserStateChangedEvent,
} from "./events.js";
export type { RingbackState } from "./state.js";
export type { Clock } from "./clock.js";
export type { CollectionNames } from "./firestoreSource.js";
export type { Source, RawDoc, Unsubscribe } from "./source.js";
export type * from "./types.js";

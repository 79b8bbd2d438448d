/**
 * A predictive reference model of Ringback, written from docs/protocol.md and the seed's
 * tables (seed 003: which user state may do which operation and hears which callback), with
 * no import of the implementation's logic: only type names come from functions/src. Given a
 * command (and the time the server ran it) or a deadline falling due, it predicts the answer
 * (the call result, or the refusal's code and reason), every user's state in every call,
 * each call's state and end reason, each user's `users/{uid}` status, and the notifications
 * that must be written (recipient, path, and the body fields that matter).
 *
 * The model is pure and deterministic: `command` and `fire` mutate a state the caller has
 * cloned. test/support/oracle.ts searches for a serialization of concurrent commands and
 * deadlines that explains what the database holds (test/stress/model.test.ts).
 *
 * This file is the model's one entry point; its parts: referenceState.ts (state, commands,
 * answers, statuses), referenceNotes.ts (notifications' canonical keys), referenceChange.ts
 * (moving, ending and settling one call), referenceCommands.ts (the operations),
 * referenceDeadlines.ts (timeouts and the time jump) and referenceBlocks.ts (block lists).
 */
export {
  busyIn,
  emptyState,
  isRinging,
  LIMITS,
  RINGING,
  statusIn,
  type Answer,
  type Command,
  type MCall,
  type MDoc,
  type MState,
  type MUser,
  type Simple,
} from "./referenceState.js";
export { canonicalBody, noteKey } from "./referenceNotes.js";
export { outcomeOf } from "./referenceChange.js";
export { command } from "./referenceCommands.js";
export { fire, nextDue, shiftTime, type Due } from "./referenceDeadlines.js";

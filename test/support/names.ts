/**
 * The collection names the server under test uses: its params RINGBACK_USERS_COLLECTION and
 * RINGBACK_CALLS_COLLECTION, read from the same environment (npm test runs a smoke pass with
 * other names), so the tests read where the server writes.
 */
import { sharedNames } from "../../functions/src/params.js";

export const names = sharedNames();

/** `users/{uid}` under the configured name. */
export const userPath = (uid: string): string => `${names.users}/${uid}`;
/** `calls/{id}` under the configured name. */
export const callPath = (callId: string): string => `${names.calls}/${callId}`;

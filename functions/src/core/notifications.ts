/**
 * The catalogue of notifications: every path a user can be told on, with the body each
 * carries (docs/protocol.md#notifications), declared in the model (model/wire.ts) for the
 * server and the client SDK. The core writes them through Draft.notify, which is typed by
 * this table; the docs and the tests take their vocabulary from it.
 */
import type { NotificationBodies, NotificationPath } from "../model/wire.js";

export { NOTIFICATION_PATHS } from "../model/wire.js";
export type { NotificationBodies, NotificationPath };

/** One notification to one user: a path and the body that path carries. */
export type Notice = {
  [P in NotificationPath]: { to: string; path: P; body: NotificationBodies[P] };
}[NotificationPath];

/** A body without the `call_id` that Draft.notify adds. */
export type BodyOf<P extends NotificationPath> = Omit<NotificationBodies[P], "call_id">;

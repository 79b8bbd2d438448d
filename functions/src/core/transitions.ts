/**
 * The state machine as data (docs/protocol.md#user-states and #operations), after ZIM's
 * table of states and the operations each allows:
 *  - USER_TRANSITIONS: which per-user state may follow which.
 *  - OPERATIONS: which command a user may issue in which state, what it moves the user to,
 *    which states make it a harmless repeat, and the reason a refusal carries.
 * The commands (commands.ts, group.ts) consult these tables and never decide a move on their own.
 */
import { PENDING_STATES as PENDING, USER_STATES, type UserState } from "./types.js";

export const USER_TRANSITIONS: Readonly<Record<UserState, readonly UserState[]>> = {
  inviting: ["received", "not_yet_received", "accepted", "rejected", "canceled", "timeout"],
  not_yet_received: ["received", "accepted", "rejected", "canceled", "timeout"],
  received: ["accepted", "rejected", "canceled", "timeout"],
  accepted: ["quit"],
  // Advanced mode: anyone invited may joinCall while the call lives, whatever they answered.
  rejected: ["accepted"],
  canceled: ["accepted"],
  timeout: ["accepted"],
  quit: ["accepted"],
};

export const canMove = (from: UserState, to: UserState): boolean =>
  USER_TRANSITIONS[from].includes(to);

/** Who may issue a command: the call's inviter, an invitee, or either. */
export type ActorRole = "inviter" | "invitee" | "participant";

export type Command =
  "accept" | "decline" | "cancel" | "end" | "heartbeat" | "invite" | "join" | "quit" | "ack";

export interface Operation {
  role: ActorRole;
  /** Actor states in which the command acts. */
  from: readonly UserState[];
  /** Actor states in which the command already took effect: success, no change. */
  done: readonly UserState[];
  /** Reason given when the actor's state is in neither list (the call still live). */
  refused: string;
  /** Reason given when the actor has the wrong role. */
  wrongRole: string;
}

export const OPERATIONS: Readonly<Record<Command, Operation>> = {
  // callAccept: Inviting / Received (and NotYetReceived) only.
  accept: {
    role: "invitee",
    from: PENDING,
    done: ["accepted"],
    refused: "already_answered",
    wrongRole: "not_invited",
  },
  // callReject: Inviting / Received (and NotYetReceived) only.
  decline: {
    role: "invitee",
    from: PENDING,
    done: ["rejected"],
    refused: "already_answered",
    wrongRole: "not_invited",
  },
  // callCancel: the inviter, while it is in the call (Accepted).
  cancel: {
    role: "inviter",
    from: ["accepted"],
    done: [],
    refused: "not_in_call",
    wrongRole: "not_inviter",
  },
  // callEnd: any Accepted user.
  end: {
    role: "participant",
    from: ["accepted"],
    done: [],
    refused: "not_accepted",
    wrongRole: "not_accepted",
  },
  // heartbeat: the inviter and every accepted user.
  heartbeat: {
    role: "participant",
    from: ["accepted"],
    done: [],
    refused: "not_accepted",
    wrongRole: "not_accepted",
  },
  // callingInvite (advanced mode): any Accepted user.
  invite: {
    role: "participant",
    from: ["accepted"],
    done: [],
    refused: "not_accepted",
    wrongRole: "not_accepted",
  },
  // callJoin (advanced mode): anyone invited; Accepted moves the call to another device.
  join: {
    role: "participant",
    from: USER_STATES,
    done: [],
    refused: "not_invited",
    wrongRole: "not_invited",
  },
  // ackCall: a device of an invitee received the invitation; Inviting and NotYetReceived
  // become Received. Any later state makes the ack late and harmless: success, no change.
  ack: {
    role: "invitee",
    from: ["inviting", "not_yet_received"],
    done: ["received", "accepted", "rejected", "canceled", "timeout", "quit"],
    refused: "already_answered",
    wrongRole: "not_invited",
  },
  // callQuit (advanced mode): any Accepted user; repeating it is a success.
  quit: {
    role: "participant",
    from: ["accepted"],
    done: ["quit"],
    refused: "not_accepted",
    wrongRole: "not_accepted",
  },
};

/** Commands that only an advanced-mode call allows (`failed-precondition` `mode_common`). */
export const ADVANCED_ONLY: readonly Command[] = ["invite", "join", "quit"];

/** What the table says of `command` by an actor of `role` in `state`. */
export type Verdict = { kind: "act" } | { kind: "done" } | { kind: "refuse"; reason: string };

export function judge(command: Command, role: "inviter" | "invitee", state: UserState): Verdict {
  const op = OPERATIONS[command];
  if (op.role !== "participant" && op.role !== role)
    return { kind: "refuse", reason: op.wrongRole };
  if (op.from.includes(state)) return { kind: "act" };
  if (op.done.includes(state)) return { kind: "done" };
  return { kind: "refuse", reason: op.refused };
}

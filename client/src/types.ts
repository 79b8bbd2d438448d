/**
 * The protocol as a client sees it (PROTOCOL.md). What travels on the wire (states, reasons,
 * command inputs and answers, in snake_case with ISO dates) is the server's model, declared
 * once in functions/src/model and copied into ./model by the build (client/sync-model.mjs);
 * below it are the SDK's own views of the documents (Dates, arrays, camelCase).
 */
import type {
  AcceptCallRequest,
  CancelCallRequest,
  ListCallsRequest,
  RegisterDeviceRequest,
  StartCallRequest,
} from "./model/wire.js";

export type {
  Callee,
  CallMode,
  CallState,
  CallType,
  DeclineType,
  EndReason,
  UserRef,
  UserStatus,
  /** A user's state in a call (seed 003). */
  UserState as CallUserState,
} from "./model/domain.js";
export type {
  CommandResult,
  ErrorCode,
  InviteResult,
  ListedCall,
  ListResult,
  DeviceResult,
  NotificationBodies,
  NotificationPath,
  StartCallResult,
} from "./model/wire.js";
import type { CallMode, CallState, CallType, DeclineType, EndReason } from "./model/domain.js";
import type { UserRef, UserState as CallUserState, UserStatus } from "./model/domain.js";

// ---- command inputs (besides what the SDK fills in: the call id, the user, the device) -------

export type StartCallInput = Omit<StartCallRequest, "device_id">;
export type ExtendedDataInput = Pick<AcceptCallRequest, "extended_data">;
export type CancelInput = Pick<CancelCallRequest, "callee_id" | "callee_ids">;
export interface DeclineInput extends ExtendedDataInput {
  /** Decline as busy (type 2) rather than declined (type 1). */
  busy?: boolean;
}
export type ListInput = ListCallsRequest;
export type DeviceInput = Omit<RegisterDeviceRequest, "id" | "device_id">;

// ---- document views -------------------------------------------------------------------

/** A ringing invitation, from `users/{uid}.incoming`. */
export interface Invitation {
  callId: string;
  caller: UserRef;
  type: CallType;
  deadlineAt: Date | null;
  extendedData: string;
}

/** `users/{uid}`; a user without the doc is idle. */
export interface UserDocView {
  status: UserStatus;
  callId: string | null;
  incoming: Invitation | null;
  deviceId: string | null;
}

export interface CallUserView {
  id: string;
  name: string;
  state: CallUserState;
  declineType: DeclineType | null;
  extendedData: string;
  /** When this user's state last changed (e.g. when they accepted). */
  updatedAt: Date | null;
}

/** `calls/{call_id}`, with users in the order of `user_ids` (the inviter first). */
export interface CallView {
  id: string;
  caller: UserRef;
  type: CallType;
  mode: CallMode;
  state: CallState;
  endReason: EndReason | null;
  /** Who ended it by a command (null when a timeout or the answers ended it). */
  endedBy: string | null;
  users: CallUserView[];
  extendedData: string;
  /** Invitation timeout, seconds. */
  timeout: number;
  /** How often the inviter and accepted users heartbeat, seconds. */
  heartbeatInterval: number;
  notReceivedCheck: boolean;
  createdAt: Date | null;
  deadlineAt: Date | null;
  endedAt: Date | null;
  /** When the first invitee accepted (the server's connected_at), else null. */
  connectedAt: Date | null;
}

/** Who left a call that now holds only you, and why (docs/protocol.md#call-outcomes). */
export interface Alone {
  callId: string;
  left: { id: string; name: string; reason: "quit" | "timeout" }[];
}

/** A notification doc as read: `users/{uid}/notifications/{id}`. */
export interface NotificationDoc {
  id: string;
  path: string;
  body: Record<string, unknown>;
  call_id: string;
  seq: number;
  /** Epoch ms (server time). */
  created_at: number;
}

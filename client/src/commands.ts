/**
 * The callables as typed functions. Each answer is the callable's data; each failure a
 * RingbackError. `device` fills in this device's id where the protocol records one.
 */
import { httpsCallable, type Functions } from "firebase/functions";
import { RingbackError, toRingbackError } from "./errors.js";
import type {
  CancelInput,
  Callee,
  CommandResult,
  DeclineInput,
  DeviceInput,
  DeviceResult,
  ExtendedDataInput,
  InviteResult,
  ListInput,
  ListResult,
  StartCallInput,
  StartCallResult,
} from "./types.js";

export interface Commands {
  /** startCall: ring one or more users. */
  ring(input: StartCallInput): Promise<StartCallResult>;
  /** cancelCall: the inviter stops ringing everyone who has not answered (or the listed ones). */
  cancel(callId: string, input?: CancelInput): Promise<CommandResult>;
  /** acceptCall, recording this device. */
  accept(callId: string, input?: ExtendedDataInput): Promise<CommandResult>;
  /** declineCall: `busy: true` declines as busy (type 2). */
  decline(callId: string, input?: DeclineInput): Promise<CommandResult>;
  /** endCall: ends the call for everyone. */
  end(callId: string): Promise<CommandResult>;
  /** heartbeat (the SDK sends these itself while you are in a call). */
  heartbeat(callId: string): Promise<CommandResult>;
  /** This session's device id, named in every command that takes one. */
  readonly deviceId: string | undefined;
  /** inviteToCall (advanced mode): an accepted user rings more users. */
  invite(callId: string, callees: Callee[]): Promise<InviteResult>;
  /** joinCall (advanced mode): join, or move the call to this device. */
  join(callId: string, input?: ExtendedDataInput): Promise<CommandResult>;
  /** quitCall (advanced mode): leave; the others go on. */
  quit(callId: string, input?: ExtendedDataInput): Promise<CommandResult>;
  /** ackCall: this device received the invitation (the SDK sends it itself when asked). */
  ack(callId: string): Promise<CommandResult>;
  /** listCalls: a page of your calls, newest first; pass `next_flag` for the next page. */
  list(input?: ListInput): Promise<ListResult>;
  /** Every page of listCalls, one after the other. */
  pages(count?: number): AsyncGenerator<ListResult>;
  /** registerDevice for this device (its id: the `deviceId` option). */
  registerDevice(input: DeviceInput): Promise<DeviceResult>;
  unregisterDevice(): Promise<DeviceResult>;
}

export function commands(
  functions: Functions,
  deviceId: string | undefined,
  prefix = "",
): Commands {
  const call = async <T>(name: string, data: object): Promise<T> => {
    try {
      return (await httpsCallable(functions, prefix + name)(data)).data as T;
    } catch (err) {
      throw toRingbackError(err);
    }
  };
  const device = deviceId === undefined ? {} : { device_id: deviceId };
  const needDevice = (): string => {
    if (deviceId !== undefined) return deviceId;
    throw new RingbackError("invalid-argument", "Give getRingback a deviceId option first.", {
      reason: "invalid_argument",
      field: "device_id",
    });
  };
  const list = (input: ListInput = {}) => call<ListResult>("listCalls", input);
  return {
    deviceId,
    ring: (input) => call("startCall", { ...input, ...device }),
    cancel: (callId, input = {}) => call("cancelCall", { call_id: callId, ...input }),
    accept: (callId, input = {}) => call("acceptCall", { call_id: callId, ...input, ...device }),
    decline: (callId, { busy, ...rest } = {}) =>
      call("declineCall", { call_id: callId, type: busy ? 2 : 1, ...rest, ...device }),
    end: (callId) => call("endCall", { call_id: callId }),
    heartbeat: (callId) => call("heartbeat", { call_id: callId, ...device }),
    invite: (callId, callees) => call("inviteToCall", { call_id: callId, callees }),
    join: (callId, input = {}) => call("joinCall", { call_id: callId, ...input, ...device }),
    quit: (callId, input = {}) => call("quitCall", { call_id: callId, ...input }),
    ack: (callId) => call("ackCall", { call_id: callId, ...device }),
    list,
    async *pages(count) {
      let next_flag = "";
      do {
        const page = await list(count === undefined ? { next_flag } : { count, next_flag });
        yield page;
        next_flag = page.next_flag;
      } while (next_flag);
    },
    registerDevice: async (input) => call("registerDevice", { device_id: needDevice(), ...input }),
    unregisterDevice: async () => call("unregisterDevice", { device_id: needDevice() }),
  };
}

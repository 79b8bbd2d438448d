/**
 * Params (docs/protocol.md#limits-and-defaults): every default that was a constant is a
 * param, and a value out of range stops the functions when they load, with a message that
 * names the param, the value and the range. Params are read from the environment, as the
 * Functions runtime sets them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { coreConfig } from "../../functions/src/adapters/deployedContext.js";
import { checkParams } from "../../functions/src/params.js";

const DEFAULTS: Record<string, string> = {
  RINGBACK_CALL_TIMEOUT_SECONDS: "60",
  RINGBACK_HEARTBEAT_INTERVAL_SECONDS: "20",
  RINGBACK_HEARTBEAT_TIMEOUT_SECONDS: "60",
  RINGBACK_MAX_CALL_USERS: "10",
  RINGBACK_START_RATE_PER_MINUTE: "30",
  RINGBACK_START_BURST: "10",
  RINGBACK_COMMAND_RATE_PER_MINUTE: "300",
  RINGBACK_COMMAND_BURST: "200",
  RINGBACK_NOT_RECEIVED_CHECK_SECONDS: "5",
  RINGBACK_MAX_INVITEES: "9",
  RINGBACK_LIST_PAGE_LIMIT: "100",
  RINGBACK_STREAM_SECONDS: "300",
  RINGBACK_STREAMS_PER_USER: "5",
  RINGBACK_STREAM_KEEPALIVE_SECONDS: "15",
  RINGBACK_RATE_CALLEE_PER_MINUTE: "20",
  RINGBACK_RATE_PAIR_PER_MINUTE: "5",
  RINGBACK_MAX_DEVICES: "10",
  RINGBACK_MAX_INSTANCES: "100",
  RINGBACK_MIN_INSTANCES: "0",
  RINGBACK_CONCURRENCY: "80",
  RINGBACK_MEMORY_MIB: "256",
  RINGBACK_DEADLINE_QUEUES: "4",
  RINGBACK_WEBHOOK_QUEUES: "4",
  RINGBACK_PUSH_QUEUES: "4",
  RINGBACK_DEADLINE_QUEUE_RATE: "500",
  RINGBACK_DEADLINE_QUEUE_CONCURRENCY: "1000",
  RINGBACK_WEBHOOK_QUEUE_RATE: "500",
  RINGBACK_WEBHOOK_QUEUE_CONCURRENCY: "25",
  RINGBACK_PUSH_QUEUE_RATE: "500",
  RINGBACK_PUSH_QUEUE_CONCURRENCY: "500",
};

function setParams(over: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries({ ...DEFAULTS, ...over })) process.env[k] = v;
}

afterEach(() => {
  for (const k of Object.keys(DEFAULTS)) delete process.env[k];
});

describe("params", () => {
  it("the defaults load, including the three that were constants", () => {
    setParams();
    expect(() => checkParams()).not.toThrow();
    expect(coreConfig()).toMatchObject({
      defaultTimeoutS: 60,
      heartbeatTimeoutMs: 60_000,
      notReceivedMs: 5000,
      maxInvitees: 9,
      listPageLimit: 100,
      startLimit: { perMinute: 30, burst: 10 },
    });
  });

  it("a param set within range is used", () => {
    setParams({
      RINGBACK_NOT_RECEIVED_CHECK_SECONDS: "3",
      RINGBACK_MAX_INVITEES: "4",
      RINGBACK_LIST_PAGE_LIMIT: "50",
    });
    expect(coreConfig()).toMatchObject({ notReceivedMs: 3000, maxInvitees: 4, listPageLimit: 50 });
  });

  it.each([
    ["RINGBACK_START_RATE_PER_MINUTE", "0"], // made retry_after_ms null
    ["RINGBACK_START_BURST", "0"],
    ["RINGBACK_COMMAND_RATE_PER_MINUTE", "0"],
    ["RINGBACK_COMMAND_BURST", "0"],
    ["RINGBACK_CALL_TIMEOUT_SECONDS", "601"],
    ["RINGBACK_HEARTBEAT_TIMEOUT_SECONDS", "0"],
    ["RINGBACK_MAX_CALL_USERS", "1"],
    ["RINGBACK_NOT_RECEIVED_CHECK_SECONDS", "0"],
    ["RINGBACK_MAX_INVITEES", "0"],
    ["RINGBACK_LIST_PAGE_LIMIT", "0"],
    ["RINGBACK_MAX_INSTANCES", "0"],
    ["RINGBACK_CONCURRENCY", "1001"],
    ["RINGBACK_DEADLINE_QUEUES", "0"],
    ["RINGBACK_DEADLINE_QUEUES", "9"], // index.ts exports 8 deadline task functions
    ["RINGBACK_WEBHOOK_QUEUES", "0"],
    ["RINGBACK_WEBHOOK_QUEUES", "9"],
    ["RINGBACK_PUSH_QUEUES", "0"],
    ["RINGBACK_PUSH_QUEUES", "9"],
    ["RINGBACK_DEADLINE_QUEUE_RATE", "501"], // Cloud Tasks' ceiling a queue
    ["RINGBACK_DEADLINE_QUEUE_CONCURRENCY", "5001"],
    ["RINGBACK_WEBHOOK_QUEUE_RATE", "0"],
    ["RINGBACK_WEBHOOK_QUEUE_CONCURRENCY", "0"],
    ["RINGBACK_PUSH_QUEUE_RATE", "501"],
    ["RINGBACK_PUSH_QUEUE_CONCURRENCY", "5001"],
    ["RINGBACK_MIN_INSTANCES", "-1"],
  ])("%s = %s fails at load, naming the param and its range", (name, value) => {
    setParams({ [name]: value });
    expect(() => checkParams()).toThrow(new RegExp(`${name} = ${value} is out of range`));
    expect(() => coreConfig()).toThrow(name);
  });

  it("a memory size Cloud Functions does not offer fails, as do more warm than most instances", () => {
    setParams({ RINGBACK_MEMORY_MIB: "300" });
    expect(() => checkParams()).toThrow(/RINGBACK_MEMORY_MIB = 300 is not a memory size/);
    setParams({ RINGBACK_MIN_INSTANCES: "5", RINGBACK_MAX_INSTANCES: "2" });
    expect(() => checkParams()).toThrow(/RINGBACK_MIN_INSTANCES = 5 must not exceed/);
  });

  it("a heartbeat interval that is not shorter than the timeout fails", () => {
    setParams({ RINGBACK_HEARTBEAT_INTERVAL_SECONDS: "60" });
    expect(() => checkParams()).toThrow(/RINGBACK_HEARTBEAT_INTERVAL_SECONDS/);
  });

  it("in the legacy extension, which has no capacity params, they are not checked", () => {
    setParams();
    for (const k of Object.keys(DEFAULTS).filter((k) =>
      /INSTANCES|CONCURRENCY|MEMORY|QUEUE_/.test(k),
    )) {
      // what an extension's runtime sees: unset, read as 0 (RINGBACK_DEADLINE_QUEUES and the
      // webhook and push ones, which route tasks rather than size a deploy, are among
      // extension.yaml's params)
      delete process.env[k];
    }
    expect(() => checkParams()).toThrow(/RINGBACK_MAX_INSTANCES = 0 is out of range/);
    process.env.EXT_INSTANCE_ID = "ringback";
    try {
      expect(() => checkParams()).not.toThrow();
      expect(() => coreConfig()).not.toThrow();
      setParams({ RINGBACK_CALL_TIMEOUT_SECONDS: "0" });
      expect(() => checkParams()).toThrow(/RINGBACK_CALL_TIMEOUT_SECONDS = 0 is out of range/);
    } finally {
      delete process.env.EXT_INSTANCE_ID;
    }
  });
});

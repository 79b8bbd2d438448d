/**
 * The channel registry (functions/src/channels/index.ts, docs/protocol.md#channels): one
 * folder per channel, every effect kind carried, and each effect delivered once per channel
 * that is on; and the Eventarc channel's CloudEvent.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Ctx } from "../../functions/src/adapters/context.js";
import type { Effect } from "../../functions/src/core/effects.js";
import { deliveriesOf } from "../../functions/src/channels/deliver.js";
import { cloudEvent } from "../../functions/src/channels/eventarc/carrier.js";
import { CHANNELS } from "../../functions/src/channels/index.js";

const DIR = path.resolve(import.meta.dirname, "../../functions/src/channels");

const callback: Effect = {
  kind: "callback",
  event_id: "c1-1-cb0",
  seq: 1000,
  at: 1_700_000_000_500,
  event: {
    event: "call_create",
    call_id: "c1",
    fields: { user_ids: ["b"], create_time: 1_700_000_000, payload: "", caller: "a", timeout: 60 },
  },
};
const schedule: Effect = { kind: "schedule_deadline", call_id: "c1", at: 1_700_000_060_000 };

const on = (ctx: Partial<Ctx>) => CHANNELS.filter((c) => c.on(ctx as Ctx));
const names = (effects: Effect[], ctx: Partial<Ctx>) =>
  deliveriesOf(effects, on(ctx)).map((d) => `${d.effect.kind}:${d.channel.name}`);

describe("the channel registry", () => {
  it("lists every folder of channels/ once, by its name", () => {
    const folders = fs
      .readdirSync(DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(CHANNELS.map((c) => c.name).sort()).toEqual(folders.sort());
  });

  it("carries every kind of effect the core decides", () => {
    const kinds = ["schedule_deadline", "cancel_deadline", "callback", "push"];
    for (const k of kinds)
      expect(
        CHANNELS.some((c) => c.effects.includes(k as never)),
        k,
      ).toBe(true);
  });

  it("delivers each effect once per channel that is on, deadlines always", () => {
    expect(names([schedule, callback], {})).toEqual(["schedule_deadline:deadlines"]);
    expect(names([schedule, callback], { outbox: true })).toEqual([
      "schedule_deadline:deadlines",
      "callback:webhooks",
    ]);
    expect(names([callback], { channels: { webhooks: true, eventarc: true } })).toEqual([
      "callback:webhooks",
      "callback:eventarc",
    ]);
    expect(names([callback], { channels: { eventarc: true } })).toEqual(["callback:eventarc"]);
  });
});

describe("the Eventarc channel", () => {
  it("publishes a callback event as ringback.v1.<event>, its fields with call_id, event_id, seq and timestamp", () => {
    expect(cloudEvent(callback as Extract<Effect, { kind: "callback" }>)).toEqual({
      type: "ringback.v1.call_create",
      source: "ringback",
      subject: "c1",
      time: "2023-11-14T22:13:20.500Z",
      data: {
        user_ids: ["b"],
        create_time: 1_700_000_000,
        payload: "",
        caller: "a",
        timeout: 60,
        call_id: "c1",
        event_id: "c1-1-cb0",
        seq: 1000,
        timestamp: 1_700_000_000,
      },
    });
  });
});

/**
 * The stress model's scenarios (test/stress/model.test.ts): their size, from the environment,
 * and fast-check's generators of steps, each several commands from different users at once or
 * a time jump.
 */
import fc from "fast-check";

export const USERS = 20;
export const SCENARIOS = Number(process.env.RINGBACK_STRESS_SCENARIOS ?? 6);
export const MAX_STEPS = Number(process.env.RINGBACK_STRESS_STEPS ?? 8);
// At most this many commands generated for one step, all sent at once (before double submits).
export const WIDTH = Number(process.env.RINGBACK_STRESS_WIDTH ?? 8);
// How long the generated scenarios may run before fast-check stops (the count run is reported).
export const MINUTES = Number(process.env.RINGBACK_STRESS_MINUTES ?? 45);
export const SEED = process.env.RINGBACK_STRESS_SEED
  ? Number(process.env.RINGBACK_STRESS_SEED)
  : undefined;

export type Simple =
  "accept" | "decline" | "cancel" | "end" | "heartbeat" | "join" | "quit" | "ack";
export type Cmd =
  | {
      k: "start";
      u: number;
      callees: number[];
      mode: "common" | "advanced";
      timeout: number;
      check: boolean;
    }
  | { k: "invite"; u: number; callees: number[] }
  | { k: "block" | "unblock"; u: number; other: number }
  /** Each of `by` blocks (unblocks) `u`: one blockUser (unblockUser) command each. */
  | { k: "blocks" | "unblocks"; u: number; by: number[] }
  | { k: Simple; u: number };
export type Sent = Exclude<Cmd, { k: "blocks" | "unblocks" }>;
export type Step = { k: "cmds"; cmds: { cmd: Cmd; times: number }[] } | { k: "jump" };
export const sent = (cmd: Cmd): Sent[] =>
  "by" in cmd
    ? cmd.by.map((b) => ({ k: cmd.k === "blocks" ? "block" : "unblock", u: b, other: cmd.u }))
    : [cmd];

const user = fc.integer({ min: 0, max: USERS - 1 });
// 1..9 callees (a full call of 10), small groups the most often.
const others = fc.oneof(
  { weight: 3, arbitrary: fc.uniqueArray(user, { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.uniqueArray(user, { minLength: 4, maxLength: 9 }) },
);
// Blocks: several users block (or unblock) one of the first three at once, so that those
// three's calls often meet a callee who blocked them.
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constantFrom("blocks" as const, "blocks" as const, "unblocks" as const),
      u: fc.integer({ min: 0, max: 2 }),
      by: fc.uniqueArray(user, { minLength: 1, maxLength: 6 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant("start" as const),
      u: user,
      callees: others,
      mode: fc.constantFrom("common" as const, "advanced" as const),
      timeout: fc.constantFrom(2, 60),
      check: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("invite" as const),
      u: user,
      callees: fc.uniqueArray(user, { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constantFrom<Simple>(
        "accept",
        "decline",
        "cancel",
        "end",
        "heartbeat",
        "join",
        "quit",
        "ack",
      ),
      u: user,
    }),
  },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      k: fc.constant("cmds" as const),
      cmds: fc.array(fc.record({ cmd: cmdArb, times: fc.constantFrom(1, 1, 1, 2) }), {
        minLength: 1,
        maxLength: WIDTH,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ k: "jump" as const }) },
);
export const scenarioArb = fc.array(stepArb, { minLength: 1, maxLength: MAX_STEPS });

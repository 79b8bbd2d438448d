/** The README's example script rings a user on the running stack. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { settledPushes, delivered } from "../support/pushes.js";

it("examples/ring.mjs rings Bob, Bob accepts, Alice hangs up", async () => {
  const { stdout } = await promisify(execFile)("node", ["examples/ring.mjs"], { timeout: 60_000 });
  expect(stdout).toMatch(/bob's phone rings: call \S+ from \S+, answer by \d{4}-\d\d-\d\dT/);
  expect(stdout).toMatch(/bob accepts on his phone: \{[^}]*state: 'ongoing'/);
  expect(stdout).toMatch(/alice hangs up: \{[^}]*end_reason: 'completed'/);
  // Bob's two devices were rung; the one that did not answer got the cancel.
  const callId = /rings: call (\S+)/.exec(stdout)?.[1] as string;
  await settledPushes(callId);
  const got = (await delivered({ call_id: callId })).map(
    (p) => `${p.data.type} ${p.device_id} ${p.channel}${p.data.reason ? ` ${p.data.reason}` : ""}`,
  );
  expect(got.sort()).toEqual([
    "cancel bob-ipad fcm answered_elsewhere",
    "ring bob-ipad voip",
    "ring bob-phone fcm",
  ]);
});

it("examples/http-client.mjs rings Bob over plain HTTP and prints his stream", async () => {
  const { stdout } = await promisify(execFile)("node", ["examples/http-client.mjs"], {
    timeout: 60_000,
  });
  expect(stdout).toMatch(/bob's stream: \/call\/notify_call_invited \{.*\} \(id \S+@\d+\.\d{9}\)/);
  expect(stdout).toMatch(/bob accepts: \{[^}]*state: 'ongoing'/);
  expect(stdout).toMatch(/bob's stream: \/call\/notify_call_end \{/);
});

/** The README's example script rings a user on the running stack. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

it("examples/ring.mjs rings Bob, Bob accepts, Alice hangs up", async () => {
  const { stdout } = await promisify(execFile)("node", ["examples/ring.mjs"], { timeout: 60_000 });
  expect(stdout).toMatch(/bob's phone rings: call \S+ from \S+, answer by \d{4}-\d\d-\d\dT/);
  expect(stdout).toMatch(/bob accepts: \{[^}]*state: 'ongoing'/);
  expect(stdout).toMatch(/alice hangs up: \{[^}]*end_reason: 'completed'/);
});

it("examples/http-client.mjs rings Bob over plain HTTP and prints his stream", async () => {
  const { stdout } = await promisify(execFile)("node", ["examples/http-client.mjs"], {
    timeout: 60_000,
  });
  expect(stdout).toMatch(/bob's stream: \/call\/notify_call_invited \{.*\} \(id \S+@\d+\.\d{9}\)/);
  expect(stdout).toMatch(/bob accepts: \{[^}]*state: 'ongoing'/);
  expect(stdout).toMatch(/bob's stream: \/call\/notify_call_end \{/);
});

/**
 * examples/kit-app with Ringback installed as a function kit by firebase-tools' own
 * `functions:kits:install`, --package and --directory (test/support/kitApp.ts), run by the
 * firebase-tools functions emulator beside the stack's Firestore, Auth and push recorder.
 * It rings through the package kit's functions (kit-functions-startCall, …): a call, the
 * pushes it sends (through the recorder), and an unanswered call ended by its deadline task,
 * which this file's own scheduled-task delivery (scripts/standins/scheduledTasks.mjs, as the stack
 * runs it) dispatches to kit-functions-deadlineTask. The directory kit and the app's own
 * codebase load beside it and answer too.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs module of the stack, without types
import { startScheduledTasks } from "../../scripts/standins/scheduledTasks.mjs";
// @ts-expect-error: a plain .mjs module of the stack, without types
import { freePort } from "../../scripts/stack/gate.mjs";
import { adminDb, callDoc } from "../support/admin.js";
import { closeAll, newUser } from "../support/clients.js";
import { env } from "../support/env.js";
import { APP, kitApp, ROOT, type Installed } from "../support/kitApp.js";
import { delivered, settledPushes } from "../support/pushes.js";

const LOG = path.join(ROOT, ".runtime/kit-app.log");
// Both kit instances publish their callback events to the Eventarc emulator's default channel
// (emulatorEnv passes it on), where the app's own onRingbackEvent receives them.
process.env.RINGBACK_EVENTARC_CHANNEL = "locations/us-central1/channels/firebase";
const offset = Number(process.env.RINGBACK_PORT_OFFSET ?? 0);
const log = () => (fs.existsSync(LOG) ? fs.readFileSync(LOG, "utf8") : "");

let firebase: ChildProcess | undefined;
let scheduled: { close: () => void } | undefined;
let installed: Installed;
let functionsOrigin = "";

/** The installed app's firebase.json with its ports moved, minus Firestore and Auth (the stack's). */
function emulatorConfig(): void {
  const file = path.join(APP, "firebase.json");
  const config = JSON.parse(fs.readFileSync(file, "utf8"));
  delete config.emulators.firestore;
  delete config.emulators.auth;
  for (const e of Object.values(config.emulators)) {
    if (typeof e === "object" && e && "port" in e) (e as { port: number }).port += offset;
  }
  functionsOrigin = `http://${config.emulators.functions.host}:${config.emulators.functions.port}`;
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

/**
 * What the stack does for its own codebase (scripts/stack/functionsEnv.mjs), per kit instance:
 * the RINGBACK_* params of this run in the config directory's .env.local (the emulator's
 * dotenv, which wins over .env), and placeholder secrets in the source's .secret.local.
 */
function emulatorEnv(): void {
  for (const [config, source] of [
    ["function-kits/functions/config-functions", "function-kits/functions/source"],
    ["function-kits/ringback/config-ringback", "ringback"],
  ] as const) {
    const params = fs
      .readFileSync(path.join(APP, config, ".env"), "utf8")
      .split("\n")
      .map((l) => /^(RINGBACK_\w+)=/.exec(l)?.[1])
      .filter((n): n is string => !!n && !!process.env[n]);
    const local = params.map((n) => `${n}=${JSON.stringify(process.env[n])}`).join("\n");
    fs.writeFileSync(path.join(APP, config, ".env.local"), `${local}\n`);
    fs.writeFileSync(
      path.join(APP, source, ".secret.local"),
      'RINGBACK_APNS_KEY="none (emulator)"\nRINGBACK_WEBHOOK_SECRET_PREVIOUS=none\n',
    );
  }
}

beforeAll(async () => {
  installed = await kitApp(env.projectId);
  emulatorConfig();
  emulatorEnv();
  const functionsHost = functionsOrigin.replace("http://", "");
  const tasksPort = await freePort("127.0.0.1");
  scheduled = await startScheduledTasks({
    host: "127.0.0.1",
    port: tasksPort,
    functions: functionsHost,
    project: env.projectId,
    region: "us-central1",
    log: (line: string) => fs.appendFileSync(LOG, `[tasks] ${line}\n`),
    retryConfigs: {},
  });
  fs.writeFileSync(LOG, "");
  const out = fs.openSync(LOG, "a");
  firebase = spawn(
    path.join(ROOT, "node_modules/.bin/firebase"),
    ["emulators:start", "--only", "functions", "--project", env.projectId],
    {
      cwd: APP,
      env: { ...process.env, CI: "true", RINGBACK_SCHEDULED_TASKS: `127.0.0.1:${tasksPort}` },
      stdio: ["ignore", out, out],
      detached: true, // its own process group, so that afterAll stops its emulators too
    },
  );
  fs.closeSync(out);
  const until = Date.now() + 120_000;
  while (!log().includes("All emulators ready")) {
    if (firebase.exitCode !== null || Date.now() > until) {
      throw new Error(
        `The kit app's emulators did not start (functions at ${functionsOrigin}). ` +
          `Last lines of ${LOG}:\n${log().split("\n").slice(-30).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}, 900_000);

afterAll(async () => {
  scheduled?.close();
  if (!firebase?.pid || firebase.exitCode !== null) return;
  const exited = new Promise((r) => firebase?.once("exit", r));
  process.kill(-firebase.pid, "SIGINT");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (firebase.exitCode === null) process.kill(-firebase.pid, "SIGKILL");
}, 30_000);

it("installs by --package and by --directory, non-interactively, writing firebase.json", () => {
  for (const out of [installed.packageOutput, installed.directoryOutput]) {
    expect(out).toContain("At the first deploy, the following Task Queues will be created");
  }
  expect(installed.packageOutput).toContain("Function kit functions successfully installed.");
  expect(installed.packageOutput).toContain("- kit-functions-deadlineTask");
  expect(installed.directoryOutput).toContain("Function kit ringback successfully installed.");
  const config = JSON.parse(fs.readFileSync(path.join(APP, "firebase.json"), "utf8"));
  expect(
    config.functions.map((f: { codebase?: string; kit?: string }) => f.codebase ?? f.kit),
  ).toEqual(["app", "functions", "ringback"]);
  expect(config.functions[1]).toMatchObject({
    sourcePackage: { name: "@ringback/functions" },
    source: "function-kits/functions/source",
    instances: { functions: "function-kits/functions/config-functions" },
  });
});

it("rings through the package kit: a call, answered, hung up, with its pushes", async () => {
  const { stdout } = await promisify(execFile)("node", ["examples/ring.mjs"], {
    cwd: ROOT,
    timeout: 90_000,
    env: {
      ...process.env,
      FUNCTIONS_EMULATOR_ORIGIN: functionsOrigin,
      RINGBACK_FUNCTIONS_PREFIX: "kit-functions-",
    },
  });
  expect(stdout).toMatch(/bob accepts on his phone: \{[^}]*state: 'ongoing'/);
  expect(stdout).toMatch(/alice hangs up: \{[^}]*end_reason: 'completed'/);
  const callId = /rings: call (\S+)/.exec(stdout)?.[1] as string;
  await settledPushes(callId);
  const got = (await delivered({ call_id: callId })).map(
    (p) => `${p.data.type} ${p.device_id} ${p.channel}`,
  );
  expect(got.sort()).toEqual(["cancel bob-ipad fcm", "ring bob-ipad voip", "ring bob-phone fcm"]);
  expect(log()).toContain("kit-functions-pushTask");
}, 180_000);

it("ends an unanswered call with the kit's deadline task (kit-functions-deadlineTask)", async () => {
  process.env.FUNCTIONS_EMULATOR_ORIGIN = functionsOrigin; // this file's users call the kit
  const alice = await newUser("alice");
  const bob = await newUser("bob");
  const { call_id } = await alice.call<{ call_id: string }>("kit-functions-startCall", {
    callees: [{ id: bob.uid }],
    type: 2,
    timeout: 2,
  });
  await bob.waitState((d) => d?.status === "ringing", "bob rings");
  await bob.waitState((d) => d?.status !== "ringing", "the deadline", 30_000);
  const call = await callDoc(call_id);
  expect(call).toMatchObject({ state: "ended", end_reason: "no_answer" });
  // The deadline came from the kit's task, not a sweep: the stack's sweep calls its own
  // functions, and this emulator runs no scheduler.
  // On one of the deadline queues (the call's shard picks it: kit-functions-deadlineTask, …1, …).
  expect(log()).toMatch(/Beginning execution of "us-central1-kit-functions-deadlineTask\d?"/);
  await closeAll();
}, 180_000);

it("serves the directory kit and the app's own codebase beside it", async () => {
  process.env.FUNCTIONS_EMULATOR_ORIGIN = functionsOrigin;
  const carol = await newUser("carol");
  expect(await carol.call("whoAmI")).toEqual({ uid: carol.uid });
  const dave = await newUser("dave");
  const { call_id } = await carol.call<{ call_id: string }>("kit-ringback-startCall", {
    callees: [{ id: dave.uid }],
    type: 2,
  });
  await carol.call("kit-ringback-cancelCall", { call_id });
  expect(await callDoc(call_id)).toMatchObject({ state: "ended" });
  await closeAll();
}, 180_000);

it("publishes a new call as an Eventarc custom event that the app's own function receives", async () => {
  process.env.FUNCTIONS_EMULATOR_ORIGIN = functionsOrigin;
  const erin = await newUser("erin");
  const frank = await newUser("frank");
  // A callee with no device is logged out, and left out of call_create (docs/protocol.md#events).
  await frank.call("kit-functions-registerDevice", {
    device_id: "frank-phone",
    platform: "android",
  });
  const { call_id } = await erin.call<{ call_id: string }>("kit-functions-startCall", {
    callees: [{ id: frank.uid }],
    type: 2,
  });
  // What examples/kit-app/functions/index.js recorded, through the Eventarc emulator.
  const received = adminDb().collection("app_ringback_events").where("subject", "==", call_id);
  const until = Date.now() + 60_000;
  let docs = (await received.get()).docs;
  while (docs.length === 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    docs = (await received.get()).docs;
  }
  expect(docs.map((d) => d.data())).toEqual([
    {
      id: expect.stringMatching(new RegExp(`^${call_id}-\\d+-cb0$`)),
      type: "ringback.v1.call_create",
      source: "ringback",
      subject: call_id,
      time: expect.any(String),
      data: {
        call_id,
        event_id: docs[0]?.id,
        seq: expect.any(Number),
        timestamp: expect.any(Number),
        caller: erin.uid,
        user_ids: [frank.uid],
        create_time: expect.any(Number),
        payload: "",
        timeout: expect.any(Number),
      },
    },
  ]);
  // The outbox row it was published from, in the change's transaction, is marked sent.
  const row = await adminDb()
    .doc(`ringback_channels/eventarc/ringback_outbox/${docs[0]?.id}`)
    .get();
  expect(row.data()).toMatchObject({ status: "sent", call_id, attempts: 1, unsent_since: null });
  await erin.call("kit-functions-cancelCall", { call_id });
  await closeAll();
}, 180_000);

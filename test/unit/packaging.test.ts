/**
 * The ways Ringback is installed agree with the code: the extension declares every deployed
 * function and every param, the plain deploy has its own codebase, and the rules and indexes
 * that ship as blocks to merge are the ones the demo app and the example app use.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHANNELS } from "../../functions/src/channels/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), "utf8");
const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1] as string);

const exported = all(read("functions/src/index.ts"), /^export const (\w+) =/gm).sort();
// params/<concern>.ts, and each channel's own params.ts (channels/<name>/params.ts).
const paramFiles = [
  ...fs.readdirSync(path.join(ROOT, "functions/src/params")).map((f) => `params/${f}`),
  ...fs
    .readdirSync(path.join(ROOT, "functions/src/channels"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `channels/${d.name}/params.ts`)
    .filter((f) => fs.existsSync(path.join(ROOT, "functions/src", f))),
];
const declaredParams = paramFiles
  .flatMap((f) => all(read(`functions/src/${f}`), /define\w+\("(\w+)"/g))
  .sort();
const extension = read("extension.yaml");
const resources = extension.slice(extension.indexOf("\nresources:"));

describe("extension.yaml", () => {
  it("declares every exported function, and nothing else", () => {
    expect(exported.length).toBeGreaterThan(10);
    expect(all(resources, /^ {2}- name: (\w+)$/gm).sort()).toEqual(exported);
  });

  it("runs every function in the LOCATION param, on the runtime of firebase.json, 60 s at most (callApi 540 s)", () => {
    const runtime = (JSON.parse(read("firebase.json")).functions[0] as { runtime: string }).runtime;
    expect(all(resources, /^ {6}location: (.+)$/gm)).toEqual(exported.map(() => "${LOCATION}"));
    expect(all(resources, /^ {6}runtime: (.+)$/gm)).toEqual(exported.map(() => runtime));
    // without one, the extensions emulator times every call out at once ("after ~undefineds")
    // callApi's streams last RINGBACK_STREAM_SECONDS: the longest a 1st-gen function may run
    const timeouts = exported.map((fn) => (fn === "callApi" ? "540s" : "60s"));
    const byName = [...resources.matchAll(/^ {2}- name: (\w+)$[\s\S]*?^ {6}timeout: (.+)$/gm)];
    expect(Object.fromEntries(byName.map((m) => [m[1], m[2]]))).toEqual(
      Object.fromEntries(exported.map((fn, i) => [fn, timeouts[i]])),
    );
  });

  it("has a param for every param of the code but the capacity ones (LOCATION stands for RINGBACK_REGION)", () => {
    // Capacity (params/capacity.ts) sizes a codebase or kit deploy; an extension's functions
    // and queues are sized by this file, so it does not ask for them (checkParams skips them).
    const capacity = all(read("functions/src/params/capacity.ts"), /define\w+\("(\w+)"/g);
    expect(capacity).toHaveLength(10);
    const params = all(extension, /^ {2}- param: (\w+)$/gm);
    const expected = declaredParams
      .filter((p) => !capacity.includes(p))
      .map((p) => (p === "RINGBACK_REGION" ? "LOCATION" : p));
    expect(params.sort()).toEqual(expected.sort());
  });

  it("is marked legacy, with the date Firebase Extensions shut down", () => {
    expect(extension).toMatch(
      /^description: >-\n {2}LEGACY: Firebase Extensions shut down on March 31, 2027/m,
    );
    expect(extension).not.toContain("iam.serviceAccountUser");
    expect(extension).toContain("role: firebasecloudmessaging.admin");
  });

  it("gives every channel's task queue the retry config its channel declares (channels/index.ts)", () => {
    const tasks = CHANNELS.flatMap((c) => (c.task ? [[c.name, c.task] as const] : []));
    expect(tasks.map(([, t]) => t.fn)).toEqual(["deadlineTask", "webhookTask", "pushTask"]);
    const index = read("functions/src/index.ts");
    // Each task function: its channel, its copy (a task on several queues has one a queue).
    const fns = tasks.flatMap(([name, t]) =>
      (t.fns ?? [t.fn]).map((fn, i) => [name, fn, i, t] as const),
    );
    // Each channel's task on 8 queues (channels/queues.ts): `<fn>`, then `<fn>1` … `<fn>7`.
    for (const [name, fn] of [
      ["deadlines", "deadlineTask"],
      ["webhooks", "webhookTask"],
      ["push", "pushTask"],
    ]) {
      expect(fns.filter(([n]) => n === name).map(([, f]) => f)).toEqual([
        fn,
        ...[1, 2, 3, 4, 5, 6, 7].map((i) => `${fn}${i}`),
      ]);
    }
    for (const [name, fn, i, t] of fns) {
      const call = i === 0 ? `task\\("${name}"\\)` : `task\\("${name}", ${i}\\)`;
      expect(index).toMatch(new RegExp(`^export const ${fn} = ${call};$`, "m"));
      const attempts = t.queue.retryConfig?.maxAttempts;
      expect(attempts, fn).toBeGreaterThan(0);
      const block = resources.slice(resources.indexOf(`- name: ${fn}\n`)).split("\n  - name")[0];
      expect(block).toContain(`maxAttempts: ${attempts}`);
    }
    // No other task function: every one belongs to a channel.
    expect(all(index, /^export const (\w+) = task\(/gm)).toEqual(fns.map(([, fn]) => fn));
  });
});

describe("firebase.json", () => {
  it("deploys the functions as their own codebase, never an app's default one", () => {
    const [fns] = JSON.parse(read("firebase.json")).functions as { codebase: string }[];
    expect(fns?.codebase).toBe("ringback");
  });
});

describe("rules and indexes to merge", () => {
  const block = read("rules/ringback.rules");

  it("ship as a block between markers, pasted unchanged where they are used", () => {
    expect(block.trim().startsWith("// BEGIN RINGBACK RULES")).toBe(true);
    expect(block.trim().endsWith("// END RINGBACK RULES")).toBe(true);
    expect(block).not.toMatch(
      /rules_version|service cloud\.firestore|\{document=\*\*\} \{\s*allow read, write: if false/,
    );
    for (const file of [
      "firestore.rules",
      "examples/app/firestore.rules",
      "examples/kit-app/firestore.rules",
    ]) {
      expect(read(file), file).toContain(block);
    }
  });

  it("the example apps' indexes are Ringback's", () => {
    for (const app of ["examples/app", "examples/kit-app"]) {
      expect(JSON.parse(read(`${app}/firestore.indexes.json`)), app).toEqual(
        JSON.parse(read("firestore.indexes.json")),
      );
    }
  });
});

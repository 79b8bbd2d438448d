/**
 * @ringback/client is publishable: versioned with the server, its `prepublishOnly` builds it,
 * and the tarball `npm pack` makes installs into an empty project, where every entry point
 * loads and the README's examples type-check against the packed declarations (not the
 * sources). npm and tsc must run: a failure to spawn them fails the test.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CLIENT = path.join(ROOT, "client");
const readJson = (p: string) => JSON.parse(fs.readFileSync(path.join(ROOT, p), "utf8"));
const pkg = readJson("client/package.json");
const README = fs.readFileSync(path.join(CLIENT, "README.md"), "utf8");
/** The peers an app brings, linked from the workspace (an offline install cannot fetch them). */
const PEERS = ["firebase", "react", "react-dom", "@types/react", "@types/react-dom"];

/** Runs a command; throws with its output when it cannot start or exits non-zero. */
function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, CI: "1" } });
  if (r.error || r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} (in ${cwd}) failed: ${r.error?.message ?? `exit ${r.status}`}\n` +
        `${r.stdout ?? ""}\n${r.stderr ?? ""}`,
    );
  }
  return r.stdout;
}

let app = "";
let packed: { filename: string; files: { path: string }[] } = { filename: "", files: [] };

beforeAll(() => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), "ringback-pack-"));
  run("npm", ["run", "prepublishOnly", "--workspace", "client"], ROOT);
  const out = run(
    "npm",
    ["pack", "--workspace", "client", "--json", "--pack-destination", app],
    ROOT,
  );
  packed = JSON.parse(out)[0];
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "empty-app", version: "1.0.0", private: true, type: "module" }),
  );
  // The tarball alone, from disk; its peers are the app's (linked below), so npm fetches nothing.
  run(
    "npm",
    [
      "install",
      "--offline",
      "--no-audit",
      "--no-fund",
      "--legacy-peer-deps",
      `./${packed.filename}`,
    ],
    app,
  );
  for (const peer of PEERS) {
    const link = path.join(app, "node_modules", peer);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", peer), link, "dir");
  }
}, 120_000);

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

describe("@ringback/client's package.json", () => {
  it("is public, versioned with the server, and builds before publishing", () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.version).toBe(readJson("package.json").version);
    expect(pkg.version).toBe(readJson("functions/package.json").version);
    expect(pkg.license).toBe(readJson("package.json").license);
    expect(pkg.scripts.prepublishOnly).toBe("npm run build");
    expect(pkg.type).toBe("module"); // ESM only, as its README says
    expect(README).toMatch(/ESM only/);
    expect(fs.readFileSync(path.join(CLIENT, "LICENSE"), "utf8")).toBe(
      fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8"),
    );
  });

  it("has firebase as a peer, and react as an optional one", () => {
    expect(pkg.dependencies).toBeUndefined();
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(["firebase", "react"]);
    expect(pkg.peerDependenciesMeta).toEqual({ react: { optional: true } });
  });
});

describe("npm pack", () => {
  it("packs the build with its declarations, the sources its maps point to, README and LICENSE", () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const f of ["LICENSE", "README.md", "package.json"]) expect(files).toContain(f);
    const targets = Object.values(pkg.exports as Record<string, string | Record<string, string>>)
      .flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)))
      .map((t) => t.replace(/^\.\//, ""));
    expect(targets.length).toBe(5);
    for (const t of targets) expect(files).toContain(t);
    // nothing but those: no tests, configs or stray files
    const other = files.filter((f) => !/^(dist|src)\//.test(f));
    expect(other.sort()).toEqual(["LICENSE", "README.md", "package.json"]);
    const sources = files.filter((f) => f.startsWith("src/") && f.endsWith(".ts"));
    const built = sources.map((f) => f.replace(/^src\//, "dist/").replace(/\.ts$/, ".d.ts"));
    for (const d of built) expect(files).toContain(d);
    expect(sources).toContain("src/react/index.ts");
  });

  it("installs into an empty project, where both entry points load", { timeout: 60_000 }, () => {
    const script = [
      'const core = await import("@ringback/client");',
      'const react = await import("@ringback/client/react");',
      "console.log(JSON.stringify({ core: Object.keys(core).sort(), react: Object.keys(react).sort() }));",
    ].join("\n");
    const out = JSON.parse(run("node", ["--input-type=module", "-e", script], app));
    // at least these: the SDK may export more
    expect(out.core).toEqual(
      expect.arrayContaining(["RingbackError", "getRingback", "toRingbackError"]),
    );
    expect(out.react).toEqual([
      "RingbackProvider",
      "useCallHistory",
      "useIncomingCall",
      "useRingback",
      "useRingbackClient",
      "useRingbackEvent",
      "useRingbackState",
    ]);
  });

  it(
    "type-checks the README's examples against the packed declarations",
    { timeout: 60_000 },
    () => {
      const blocks = [...README.matchAll(/^```(tsx?)\n([\s\S]*?)^```$/gm)];
      expect(blocks.map((b) => b[1])).toEqual(["ts", "tsx"]); // the five-minute one and React's
      fs.mkdirSync(path.join(app, "src"), { recursive: true });
      blocks.forEach(([, ext, code], i) =>
        fs.writeFileSync(path.join(app, "src", `example${i}.${ext}`), code as string),
      );
      fs.writeFileSync(
        path.join(app, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            lib: ["ES2022", "DOM", "DOM.Iterable"],
            jsx: "react-jsx",
            strict: true,
            noEmit: true,
            types: [],
            // as apps do: firebase's own declarations need a newer lib (Temporal) than ES2022
            skipLibCheck: true,
          },
          include: ["src"],
        }),
      );
      // --listFiles: it checked the tarball's declarations, not the workspace's sources
      const listed = run(
        path.join(ROOT, "node_modules", ".bin", "tsc"),
        ["-p", "tsconfig.json", "--listFiles"],
        app,
      ).split("\n");
      const installed = path.join(fs.realpathSync(app), "node_modules/@ringback/client/dist");
      expect(listed).toContain(`${installed}/index.d.ts`);
      expect(listed).toContain(`${installed}/react/index.d.ts`);
      expect(listed.filter((f) => f.includes("/client/src/"))).toEqual([]);
    },
  );
});

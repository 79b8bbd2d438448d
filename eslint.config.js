import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "functions/lib/",
      ".runtime/",
      "bench/results/",
      "client/dist/",
      // generated from functions/src/model by client/sync-model.mjs (linted there)
      "client/src/model/",
      "demo/dist/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The fence around the pure core: no Firebase, no I/O, no adapters (docs/protocol.md is
    // its contract; time is passed in).
    files: ["functions/src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "firebase-admin",
                "firebase-admin/*",
                "firebase-functions",
                "firebase-functions/*",
                "firebase",
                "firebase/*",
              ],
              message: "The core is pure: no Firebase.",
            },
            {
              group: [
                "**/adapters/**",
                "**/functions/*",
                "**/platform.js",
                "**/index.js",
                "**/params.js",
              ],
              message: "The core is pure: adapters call it, never the other way.",
            },
            { group: ["node:*"], message: "The core is pure: no I/O." },
          ],
        },
      ],
    },
  },
  {
    // The model is shared by the core, the converters and the client SDK: zod and nothing
    // else (no Firebase, no Node, no params); domain.ts and wire.ts, which the client's build
    // copies (client/sync-model.mjs), import nothing but each other.
    files: ["functions/src/model/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "firebase-admin",
                "firebase-admin/*",
                "firebase-functions",
                "firebase-functions/*",
                "firebase",
                "firebase/*",
              ],
              message: "The model is Firebase-free: the core and the client SDK share it.",
            },
            {
              group: ["../*", "node:*"],
              message: "The model imports nothing of the server's (no params, no I/O).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["functions/src/model/domain.ts", "functions/src/model/wire.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!\\./(domain|wire)\\.js$)",
              message: "domain.ts and wire.ts import only each other: the client copies them.",
            },
          ],
        },
      ],
    },
  },
  {
    // Nothing below the composition root imports it: adapters get what they need passed in or
    // from an adapter module (deployment.ts), and dev-only code reaches them through a hook.
    files: ["functions/src/adapters/**/*.ts", "functions/src/functions/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/platform.js", "**/index.js", "**/functions/*", "**/dev/*"],
              message: "Adapters never import the composition root, the functions or dev code.",
            },
          ],
        },
      ],
    },
  },
);

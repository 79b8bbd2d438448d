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
    // Nothing below the composition root imports it: adapters get what they need passed in or
    // from an adapter module (deployment.ts), and dev-only code reaches them through a hook.
    files: ["functions/src/adapters/**/*.ts", "functions/src/functions/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "**/platform.js",
                "**/index.js",
                "!**/channels/index.js",
                "**/functions/*",
                "**/dev/*",
              ],
              message: "Adapters never import the composition root, the functions or dev code.",
            },
          ],
        },
      ],
    },
  },
  ...[
    ["functions/src/channels/*.ts", "../index.js"],
    ["functions/src/channels/*/*.ts", "../../index.js"],
  ].map(([files, root]) => ({
    // The channels are adapters too: the same fence, the composition root being `root` here.
    files: [files],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/platform.js", root, "**/functions/*", "**/dev/*"],
              message: "Channels never import the composition root, the functions or dev code.",
            },
          ],
        },
      ],
    },
  })),
);

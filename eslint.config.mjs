// Lint: typescript-eslint's recommended rules; `any` is an error where a type exists; and the
// layering of the repository (lint/layers.mjs, drawn in docs/architecture.md).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { layersPlugin } from "./lint/layers.mjs";

export default tseslint.config(
  // configs/lib/mailfort-reports.cjs is generated (npm run build:reports-host) and minified.
  { ignores: ["node_modules/**", "dist/**", "out/**", ".lab/**", "bench/results/**", ".cache/**", "configs/lib/mailfort-reports.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // tools/entry.cjs runs before any TypeScript can (it is what loads it): plain CommonJS on Node.
    files: ["tools/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", __dirname: "readonly", __filename: "readonly", process: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.ts"],
    plugins: { mailfort: layersPlugin },
    rules: { "mailfort/layers": "error" },
  },
  {
    // The root of @pulumi/aws loads every AWS service (infra/aws/sdk.ts says what that costs).
    files: ["**/*.ts"],
    ignores: ["infra/aws/sdk.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "@pulumi/aws", message: "import the AWS services through infra/aws/sdk.ts (the package root loads all ~300 of them)" }] }],
    },
  },
);

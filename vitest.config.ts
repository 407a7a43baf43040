import { defineConfig } from "vitest/config";

// One runner for every layer: unit (pure core), infra (Pulumi mocks), policy, host checkers, lab.
// Pulumi mocks are process-global, so each test file runs in its own fork.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});

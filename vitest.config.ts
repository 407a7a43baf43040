import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// One runner for every layer: unit (pure core), infra (Pulumi mocks), policy, host checkers, lab.
// Pulumi mocks are process-global, so each test file runs in its own fork.
//
// Vitest's default is one worker less than the cores: on CI's two cores, one file at a time, and
// the suites before the lab took 20 minutes of it. Two at once (up to four on bigger machines):
// the files are independent (temporary roots and overlays, anonymous network namespaces, port 0
// or per-process addresses), except the ones below, which run one at a time after the others.
const ONE_AT_A_TIME = [
  // Both set up the same named namespace and veth pair (test/host/webmail-stack.ts).
  "test/host/webmail.test.ts",
  "test/host/webmail-e2e.test.ts",
  // The lab owns the machine: its VM, namespaces and emulators (and npm test runs it on its own).
  "test/lab/**/*.test.ts",
];
const WORKERS = Math.max(2, Math.min(4, availableParallelism()));

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "suites", include: ["test/**/*.test.ts"], exclude: ONE_AT_A_TIME, maxWorkers: WORKERS } },
      { extends: true, test: { name: "one-at-a-time", include: ONE_AT_A_TIME, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});

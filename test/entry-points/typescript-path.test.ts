// The CLI's built-in TypeScript path with this repository's tsconfig.json: ts-node (vendored
// 7.0.1) on TypeScript 6, registered by cmd/run exactly as for `runtime.options.typescript: true`.
// TypeScript 6 refuses an outDir (ts-node sets one) without an explicit rootDir: before
// tsconfig.json set it, this failed with TS5011 before the first resource.
import { join } from "node:path";
import { expect, it } from "vitest";
import { runProgram } from "../support/fake-engine/language-host";
import { startFakeEngine } from "../support/fake-engine/server";

const FIXTURE = join(__dirname, "fixtures", "ts-path");

it("compiles and type checks a program that lives below the tsconfig (as infra/ does) under the project's tsconfig, then runs it", async () => {
  const engine = await startFakeEngine({ stack: "dev", project: "ts-path", dryRun: false, answers: { resource: async () => { throw new Error("no resources expected"); }, invoke: async () => ({}) } });
  try {
    const result = await runProgram({ projectDir: FIXTURE, stack: "dev", config: { "tspath:hostname": "mail.example.com" }, secretKeys: [], dryRun: false, engineAddress: engine.address, timeoutMs: 180_000 });
    expect(result, result.stderr).toMatchObject({ exitCode: 0, error: "" });
    expect(engine.logs.filter((l) => l.severity === "error")).toEqual([]);
    expect(engine.registrations[0]?.registeredOutputs).toEqual({ hostnameLabels: 3 });
  } finally {
    await engine.close();
  }
}, 200_000);

// The entry point's guard against Node 20's looping error formatter: cmd/run formats unhandled
// program errors with util.inspect(err, { colors: true }), and a stack frame directly under a
// scoped package (what @pulumi/pulumi's source maps produce) never finishes formatting on Node 20.
// Each case runs in a child node with a time limit, since the failure mode is a hang.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const GUARD = join(__dirname, "../../infra/error-inspect-guard.ts");
const FRAME = "    at Output.apply (/srv/app/node_modules/@pulumi/output.ts:12:34)";

function formatInChild(withGuard: boolean, timeoutMs: number): { finished: boolean; stdout: string } {
  const script = `
    const util = require("node:util");
    const e = new Error("inside an apply"); e.code = "E_APPLY";
    e.stack = "Error: inside an apply\\n${FRAME}\\n    at run (/srv/app/node_modules/@pulumi/pulumi/cmd/run/run.ts:1:1)";
    process.stdout.write(util.inspect(e, { colors: true }));`;
  const r = spawnSync(process.execPath, [...(withGuard ? ["--import", "tsx", "--import", GUARD] : []), "-e", script], { encoding: "utf8", timeout: timeoutMs });
  return { finished: r.status === 0, stdout: r.stdout };
}

describe("the error inspect guard (imported first by infra/index.ts)", () => {
  it("lets an error with a frame under a scoped package be formatted, stack and properties intact", () => {
    const r = formatInChild(true, 30_000);
    expect(r.finished).toBe(true);
    expect(r.stdout).toContain("Error: inside an apply");
    expect(r.stdout).toContain(FRAME.trim());
    expect(r.stdout).toMatch(/code: .*E_APPLY/);
  });

  // Formatting this error takes milliseconds when it works; 4 s without an answer is the loop.
  it.runIf(process.versions.node.startsWith("20."))("is needed on Node 20: without it, the same formatting does not finish", () => {
    expect(formatInChild(false, 4_000).finished).toBe(false);
  });
});

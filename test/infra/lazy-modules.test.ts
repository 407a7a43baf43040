// What is loaded where (the synth command's and the fleet plan's start-up cost is mostly module
// loading, docs/performance.md): the fleet plan's parent process only drives synth workers and
// never loads the program or @pulumi/pulumi; a synth loads the certificate mocks (@peculiar/x509,
// ~200 modules) only when a stack makes certificates, and `yaml` (the stack-file editor's) never.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const PROBE = join(__dirname, "fixtures", "lazy-modules-probe.ts");

function probe(which: string): Record<string, boolean> {
  const out = execFileSync(process.execPath, ["--import", "tsx", PROBE, which], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: "", PULUMI_CONFIG_PASSPHRASE: "" }, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop() ?? "") as Record<string, boolean>;
}

describe("lazy module loading", () => {
  it("the fleet plan's parent loads neither the program's @pulumi/pulumi nor the certificate library", () => {
    expect(probe("fleet-parent")).toEqual({ pulumi: false, x509: false });
  }, 60_000);

  it("a synth loads the certificate mocks only for a stack that makes certificates, and they still make them", () => {
    expect(probe("synth")).toEqual({ acmePulumi: true, acmeX509: false, acmeYaml: false, selfSignedX509: true, selfSignedCerts: true });
  }, 120_000);
});

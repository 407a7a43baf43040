// `pulumi up` and `pulumi preview` as the Pulumi CLI really runs them, minus the CLI: the program
// started through @pulumi/pulumi/cmd/run with the Node.js language host's arguments and
// environment (Pulumi.yaml's runtime options included), the policy pack through
// cmd/run-policy-pack as the host's RunPlugin starts it, both talking gRPC to a fake engine in
// this process. Every registration is compared with the offline synth's resources.json.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ALL_POLICIES } from "../../policy/all";
import { REPO_ROOT } from "../../infra/synth/in-process";
import { RUNNER_SCRIPT, mailboxEnvVar } from "../../infra/core/post-deploy-verify";
import { unwrapSecrets } from "../../infra/synth/secret-values";
import { analyzeRun, analyzerInfo, configurePack } from "../support/fake-engine/analyze";
import { type RunningPack, startPolicyPack } from "../support/fake-engine/policy-host";
import { programLocation } from "../support/fake-engine/project";
import type { Registration } from "../support/fake-engine/types";
import { ROOT_STACK_TYPE } from "../support/fake-engine/urn";
import { UNKNOWN, isSecret } from "../support/fake-engine/wire";
import type { CliRun } from "./cli-run";
import { graphFromRegistrations, graphFromResourcesJson, previewMismatches } from "./graph";
import { BAD_HOSTNAME, GARBAGE_STDOUT, type Runs, STACKS, removeRuns, startRuns } from "./runs";
import { plaintextLeaks, providerSecrets } from "./secret-leaks";
import { RESTORE_SNAPSHOT } from "./restore-variant";
import { dataVolumeUrn } from "../../restore/restore-settings";
import { VERIFY_PASSWORD } from "./verify-variant";

const TIMEOUT_MS = 180_000;
let runs: Runs;
let pack: RunningPack;

beforeAll(async () => {
  // The pack compiles with ts-node while the synths and programs run. One pack process judges
  // every stack's graph: it reads the stack from each URN, never from its environment, and
  // run-policy-pack drops the engine address it is given.
  const packStarting = startPolicyPack({ packDir: join(REPO_ROOT, "policy"), engineAddress: "127.0.0.1:1", project: "mailfort", stack: "dev", dryRun: false, config: {}, timeoutMs: TIMEOUT_MS });
  [runs, pack] = await Promise.all([startRuns(TIMEOUT_MS), packStarting]);
}, 2 * TIMEOUT_MS);

afterAll(() => {
  pack?.stop();
  removeRuns(runs);
  if (runs === undefined) return;
  const ms = (n: number) => `${(n / 1000).toFixed(1)} s`;
  const line = (name: string, r: CliRun) => `  ${name}: ${ms(r.result.durationMs)} (${r.registrations.length} registrations)`;
  console.log([
    `entry points: all runs ${ms(runs.wallMs)} wall, two at a time; policy pack served after ${ms(pack?.startMs ?? 0)}`,
    ...Object.entries(runs.synth).map(([s, r]) => `  synth ${s}: ${ms(r.durationMs)}`),
    ...Object.entries(runs.up).map(([s, r]) => line(`up ${s}`, r)),
    line("preview prod", runs.preview), line("bad config", runs.badConfig), line("verify output garbage", runs.verifyGarbage),
    line("restore refused", runs.restoreRefused),
  ].join("\n"));
});

const rootStack = (r: CliRun) => r.registrations.find((x) => x.type === ROOT_STACK_TYPE) as Registration;
const errorsLogged = (r: CliRun) => r.logs.filter((l) => l.severity === "error").map((l) => l.message);
const secretConfig = (r: CliRun) => r.secretKeys.map((k) => r.config[k] ?? "");

describe("pulumi up through @pulumi/pulumi/cmd/run, as the language host starts it", () => {
  it.each(STACKS)("%s: runs to the end and registers exactly the synth's resources (types, names, parents, inputs, secret paths, protection)", (stack) => {
    const run = runs.up[stack];
    expect(run.result, run.result.stderr).toMatchObject({ exitCode: 0, error: "", bail: false });
    expect(errorsLogged(run)).toEqual([]);
    expect(run.shutdownSignalled).toBe(true);
    expect(run.registrations[0]).toMatchObject({ type: ROOT_STACK_TYPE, name: `mailfort-${stack}`, parent: "" });
    expect(graphFromRegistrations(run.registrations)).toEqual(graphFromResourcesJson(runs.synth[stack].resources));
  });

  it.each(STACKS)("%s: secrets reach the engine only as secrets, and the stack outputs are the synth's", (stack) => {
    const run = runs.up[stack];
    const secretInputs = graphFromRegistrations(run.registrations).flatMap((n) => n.secretPaths.map((p) => `${n.name}.${p}`));
    // The DKIM and TLS private keys and the mailbox hashes go to SSM as secrets.
    expect(secretInputs.filter((p) => /-(dkim-.*|tls-key|mailboxes-\w+)\.value$/.test(p)).length).toBeGreaterThanOrEqual(3);
    // Not vacuous: private keys came back as secret outputs, and the check looks for them.
    expect(providerSecrets(run.registrations).filter((k) => k.includes("PRIVATE KEY")).length).toBeGreaterThanOrEqual(2);
    expect(plaintextLeaks(run.registrations, secretConfig(run))).toEqual([]);
    const outputs = unwrapSecrets(rootStack(run).registeredOutputs ?? {}).value;
    expect(outputs).toEqual(runs.synth[stack].outputs);
  });

  it("preview (prod, --dry-run): the same resources under the same parents, inputs the update's except what a provider has not computed yet", () => {
    const preview = runs.preview;
    expect(preview.result, preview.result.stderr).toMatchObject({ exitCode: 0, error: "" });
    expect(errorsLogged(preview)).toEqual([]);
    const planned = graphFromRegistrations(preview.registrations);
    const applied = graphFromRegistrations(runs.up.prod.registrations);
    expect(planned.map(({ type, name, parent }) => ({ type, name, parent }))).toEqual(applied.map(({ type, name, parent }) => ({ type, name, parent })));
    const mismatches = planned.flatMap((n, i) => previewMismatches(n.inputs, applied[i]?.inputs).map((p) => `${n.name}: ${p}`));
    expect(mismatches).toEqual([]);
    // Not vacuous: the preview does see provider outputs as unknown (the instance's subnet, for one).
    const instance = preview.registrations.find((r) => r.type === "aws:ec2/instance:Instance");
    expect(instance?.inputs.subnetId).toBe(UNKNOWN);
  });

  it("post-deploy verify: @pulumi/command loads, its local Command registers as in the synth, the mailbox password only as a secret, run from where its runner is", () => {
    const run = runs.up.verify;
    expect(run.result, run.result.stderr).toMatchObject({ exitCode: 0, error: "" });
    expect(graphFromRegistrations(run.registrations)).toEqual(graphFromResourcesJson(runs.synth.verify.resources));
    const command = run.registrations.find((r) => r.type === "command:local:Command") as Registration;
    expect(command.parent).toMatch(/mailfort:aws:PostDeployVerify::mailfort-dev-verify$/);
    const env = command.inputs.environment as Record<string, unknown>;
    expect(isSecret(env[mailboxEnvVar(1)])).toBe(true);
    expect(plaintextLeaks(run.registrations, [VERIFY_PASSWORD, ...secretConfig(run)])).toEqual([]);
    expect(String(command.inputs.create)).toContain(RUNNER_SCRIPT);
    // The engine starts providers in the program's directory; the command runs there (no `dir`).
    expect(command.inputs.dir).toBeUndefined();
    const providerCwd = programLocation(REPO_ROOT).programDir;
    expect(existsSync(join(providerCwd, RUNNER_SCRIPT))).toBe(true);
    expect(existsSync(join(providerCwd, "node_modules/.bin/tsx"))).toBe(true);
  });

  it("a program error surfaces as the engine reports it: logged at error severity with the field and the fix, exit 32 (the host adds nothing), nothing created", () => {
    const run = runs.badConfig;
    expect(run.result).toMatchObject({ exitCode: 32, bail: true, error: "" });
    const errors = errorsLogged(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Running program '.*' failed with an unhandled exception:\nConfigError: stack configuration has 1 error; nothing was created/);
    expect(errors[0]).toContain("mailfort:hostname");
    expect(errors[0]).toContain(JSON.stringify(BAD_HOSTNAME));
    expect(errors[0]).toMatch(/fix: /);
    expect(run.registrations.map((r) => r.type)).toEqual([ROOT_STACK_TYPE]);
  });

  it("restore: the snapshot is looked up first, then exactly the synth's resources are registered", () => {
    const run = runs.up.restore;
    expect(run.result, run.result.stderr).toMatchObject({ exitCode: 0, error: "", bail: false });
    expect(errorsLogged(run)).toEqual([]);
    expect(graphFromRegistrations(run.registrations)).toEqual(graphFromResourcesJson(runs.synth.restore.resources));
    expect(run.registrations.map((r) => r.type).slice(0, 2)).toEqual([ROOT_STACK_TYPE, "pulumi:providers:aws"]);
    // The URNs npm run restore tells an operator to unprotect are the ones the engine records (the
    // offline synth's mocks shorten a grandchild's type chain, so only this run can say).
    const volumes = run.registrations.filter((r) => r.type === "aws:ebs/volume:Volume").map((r) => r.urn).sort();
    expect(volumes).toEqual([dataVolumeUrn("lab", "original"), dataVolumeUrn("lab", RESTORE_SNAPSHOT)].sort());
  });

  it("restore of another stack's snapshot: refused with the path and the fix, nothing registered but the stack and its provider", () => {
    const run = runs.restoreRefused;
    expect(run.result).toMatchObject({ exitCode: 32, bail: true, error: "" });
    const errors = errorsLogged(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/ConfigError: stack lab has 1 error; nothing was created/);
    expect(errors[0]).toContain(`mailfort:dataVolume.restoreFrom: ${RESTORE_SNAPSHOT} is a snapshot of stack prod, not of lab`);
    expect(errors[0]).toMatch(/fix: .*restoreFromStack: prod/);
    expect(run.registrations.map((r) => r.type)).toEqual([ROOT_STACK_TYPE, "pulumi:providers:aws"]);
  });

  it("an error inside an apply (the verify runner printed no summary) fails the run with its message, instead of hanging in Node 20's error formatter", () => {
    const run = runs.verifyGarbage;
    expect(run.result, run.result.stderr).toMatchObject({ exitCode: 32, bail: true, error: "" });
    const errors = errorsLogged(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`post-deploy verify: its output does not end in a JSON summary: ${JSON.stringify(GARBAGE_STDOUT)}`);
  });
});

describe("the policy pack through @pulumi/pulumi/cmd/run-policy-pack, as the language host's RunPlugin starts it", () => {
  it("compiles (ts-node with type checks, as the CLI registers it) and announces every policy", async () => {
    const info = await analyzerInfo(pack.client);
    expect(info.name).toBe("mailfort");
    expect(info.policies.sort()).toEqual(ALL_POLICIES.map((p) => p.name).sort());
  });

  it.each([...STACKS, "verify", "restore"] as const)("passes the graph %s registered through cmd/run (Analyze per resource, AnalyzeStack at the end)", async (stack) => {
    const verdict = await analyzeRun(pack.client, runs.up[stack].registrations);
    expect(verdict.diagnostics.filter((d) => d.level === "mandatory")).toEqual([]);
    expect(verdict.fails).toBe(false);
  });

  it("fails the update for a bad graph: SSH opened in dev's security group is a mandatory network-ingress violation", async () => {
    const verdict = await analyzeRun(pack.client, withSshOpen(runs.up.dev.registrations));
    expect(verdict.fails).toBe(true);
    expect(verdict.diagnostics).toContainEqual(expect.objectContaining({ policy: "network-ingress", level: "mandatory", message: expect.stringMatching(/SSH port 22/) }));
  });

  it("fails a restore that drops the volume it replaces: a mandatory instance-data-volume-restore violation", async () => {
    const dropped = runs.up.restore.registrations.filter((r) => !(r.type === "aws:ebs/volume:Volume" && r.name === "mailfort-lab-host-data"));
    expect(dropped).toHaveLength(runs.up.restore.registrations.length - 1);
    const verdict = await analyzeRun(pack.client, dropped);
    expect(verdict.fails).toBe(true);
    expect(verdict.diagnostics).toContainEqual(expect.objectContaining({ policy: "instance-data-volume-restore", level: "mandatory", message: expect.stringMatching(/would delete the current data volume mailfort-lab-host-data/) }));
  });

  it("honours a --policy-pack-config (fleet passes one per stack): lowered to advisory, the same violation is reported and no longer fails", async () => {
    await configurePack(pack.client, { "network-ingress": "advisory" });
    try {
      const verdict = await analyzeRun(pack.client, withSshOpen(runs.up.dev.registrations));
      expect(verdict.fails).toBe(false);
      expect(verdict.diagnostics).toContainEqual(expect.objectContaining({ policy: "network-ingress", level: "advisory" }));
    } finally {
      await configurePack(pack.client, { "network-ingress": "mandatory" });
    }
  });
});

/** A copy of the run with an SSH ingress rule added to its security group (inputs and outputs). */
function withSshOpen(registrations: readonly Registration[]): Registration[] {
  const copy = structuredClone(registrations) as Registration[];
  const sg = copy.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup");
  if (sg === undefined) throw new Error("the run registered no security group");
  const ssh = { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] };
  for (const props of [sg.inputs, sg.state]) props.ingress = [...((props.ingress as unknown[] | undefined) ?? []), ssh];
  return copy;
}

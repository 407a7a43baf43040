// The monitoring policies on real synths of stack files: a stack that turns flow logs off fails,
// prod with GuardDuty off fails, and a relaxation with a reason lowers it to advisory (reported,
// marked, not failing) or disables it; outside prod, GuardDuty off is the stack's own choice.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runSynth } from "../../infra/synth";
import { snapshotFromSynth } from "../../plan/from-synth";
import type { Snapshot } from "../../plan/snapshot";
import { policyById } from "../../policy/all";
import { formatText } from "../../policy/report";
import { hasMandatoryViolation, packConfigFor, runPolicies, runPolicy } from "../../policy/run";
import { UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";

const ROOT = path.resolve(__dirname, "../..");
const stackText = (s: string) => readFileSync(path.join(ROOT, "stacks", `Pulumi.${s}.yaml`), "utf8");
/** Add keys (indented two spaces) at the top of the `config:` block. */
const withConfig = (text: string, lines: string) => {
  if (!text.includes("\nconfig:\n")) throw new Error("stack file has no config: block");
  return text.replace("\nconfig:\n", `\nconfig:\n${lines}`);
};
const GUARDDUTY_OFF = "  mailfort:monitoring:\n    guardduty: off\n";
const REASON = "the account's security team routes GuardDuty centrally through its own organisation";
const relax = (level: string) => `  mailfort:policy:\n    relax:\n      - id: monitoring-guardduty\n        reason: ${REASON}\n        level: ${level}\n`;

const snaps = new Map<string, Snapshot>();
beforeAll(async () => {
  const variants: Record<string, [string, string]> = {
    prodOff: ["prod", withConfig(stackText("prod"), GUARDDUTY_OFF)],
    prodOffAdvisory: ["prod", withConfig(stackText("prod"), GUARDDUTY_OFF + relax("advisory"))],
    prodOffDisabled: ["prod", withConfig(stackText("prod"), GUARDDUTY_OFF + relax("disabled"))],
    devNoFlowLogs: ["dev", withConfig(stackText("dev"), "  mailfort:monitoring:\n    guardduty: off\n    flowLogs:\n      enabled: false\n")],
  };
  const entries = await Promise.all(Object.entries(variants).map(async ([k, [stack, text]]) => [k, snapshotFromSynth(await runSynth(stack, { configText: text }))] as const));
  for (const [k, s] of entries) snaps.set(k, s);
}, 300_000);

const snap = (k: string): Snapshot => {
  const s = snaps.get(k);
  if (!s) throw new Error(`no synth ${k}`);
  return s;
};

describe("monitoring-flow-logs", () => {
  it("fails a stack that creates its VPC with flow logs off", async () => {
    const s = snap("devNoFlowLogs");
    const v = await runPolicy(policyById("monitoring-flow-logs"), s.resources, s.facts);
    expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/1 VPC\(s\) created, but 0 VPC flow log\(s\): set monitoring.flowLogs.enabled: true/)]);
  });

  it("leaves GuardDuty off alone outside prod", async () => {
    const s = snap("devNoFlowLogs");
    expect(s.resources.some((r) => r.type === "aws:cloudwatch/eventRule:EventRule")).toBe(false);
    expect(await runPolicy(policyById("monitoring-guardduty"), s.resources, s.facts)).toEqual([]);
  });
});

describe("monitoring-guardduty in prod", () => {
  it("fails prod with GuardDuty off, as a mandatory violation", async () => {
    const s = snap("prodOff");
    const outcomes = await runPolicies(s.resources, s.facts);
    const gd = outcomes.find((o) => o.id === "monitoring-guardduty");
    expect(gd?.level).toBe("mandatory");
    expect(gd?.violations.map((v) => v.message)).toEqual([expect.stringMatching(/no EventBridge rule routes GuardDuty findings: set monitoring.guardduty to create/)]);
    expect(hasMandatoryViolation(outcomes)).toBe(true);
  });

  it("relaxed to advisory with a reason: still reported, marked with the reason, no longer failing", async () => {
    const s = snap("prodOffAdvisory");
    const outcomes = await runPolicies(s.resources, s.facts);
    const gd = outcomes.find((o) => o.id === "monitoring-guardduty");
    expect(gd?.level).toBe("advisory");
    expect(gd?.violations.map((v) => v.message)).toEqual([expect.stringContaining(`[relaxed to advisory by stack prod: ${REASON}]`)]);
    expect(hasMandatoryViolation(outcomes)).toBe(false);
    expect(packConfigFor(s.facts)).toEqual({ "monitoring-guardduty": { enforcementLevel: "advisory" } });
    expect(formatText("prod", outcomes)).toContain(`[monitoring-guardduty] advisory (relaxed: ${REASON})`);
  });

  it("relaxed to disabled: passes, and the output still names the reason", async () => {
    const s = snap("prodOffDisabled");
    const outcomes = await runPolicies(s.resources, s.facts);
    expect(outcomes.find((o) => o.id === "monitoring-guardduty")).toMatchObject({ level: "disabled", violations: [], relaxation: { reason: REASON } });
    expect(hasMandatoryViolation(outcomes)).toBe(false);
  });
});

/** The sentinel CrossGuard deserializes an unknown string to (internal to @pulumi/policy: no typings). */
const unknownStringValue = (policyProxy as unknown as { unknownStringValue: unknown }).unknownStringValue;

describe("during a preview, with the rule's pattern still unknown", () => {
  it("lets CrossGuard's unknown-value error through instead of reporting a missing rule", () => {
    const s = snap("prodOff");
    expect(unknownStringValue).toBeDefined();
    const rule = { type: "aws:cloudwatch/eventRule:EventRule", name: "findings", urn: "urn:pulumi:prod::mailfort::aws:cloudwatch/eventRule:EventRule::findings", props: unknownCheckingProxy({ eventPattern: unknownStringValue }) } as unknown as PolicyResource;
    const args = { resources: [rule], getConfig: () => ({ facts: s.facts }) } as unknown as StackValidationArgs;
    const policy = policyById("monitoring-guardduty");
    if (policy.kind !== "stack") throw new Error("monitoring-guardduty is a stack policy");
    const reported: string[] = [];
    expect(() => policy.validateStack(args, (m) => reported.push(m))).toThrow(UnknownValueError);
    expect(reported).toEqual([]);
  });
});

// mailfort:monitoring: its defaults, every bad value refused at once with path, problem and fix,
// YAML's `off` staying a word, and the guarantee that none of it reaches the host.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMailConfig, parseStackFile } from "../../infra/config";
import { LOG_RETENTION_DAYS } from "../../infra/config/schema";
import { renderHostConfig } from "../../infra/core/host";
import { issuesOf } from "../support/config-issues";
import { base, parse } from "../support/post-deploy";

const LAB = join(__dirname, "..", "..", "stacks", "Pulumi.lab.yaml");
const labText = readFileSync(LAB, "utf8");
const parseText = (text: string) => parseMailConfig(parseStackFile(text, LAB), "lab");
/** The lab stack with its monitoring block (its last config keys before policy) replaced. */
const labMonitoring = (block: string) => labText.replace(/ {2}mailfort:monitoring:\n(?: {4}.*\n)+/, block);

describe("mailfort:monitoring", () => {
  it("defaults to a detector of its own and 90 days of flow logs with a 300-per-5-minutes burst alarm", () => {
    expect(parse(base()).monitoring).toEqual({ guardduty: "create", flowLogs: { enabled: true, retentionDays: 90, outboundSmtpPer5Min: 300 } });
  });

  it("takes existing and off, and the retentions CloudWatch Logs offers", () => {
    expect(parse(base({ monitoring: { guardduty: "existing" } })).monitoring.guardduty).toBe("existing");
    expect(parse(base({ monitoring: { guardduty: "off", flowLogs: { retentionDays: 3653, outboundSmtpPer5Min: 10 } } })).monitoring).toEqual({ guardduty: "off", flowLogs: { enabled: true, retentionDays: 3653, outboundSmtpPer5Min: 10 } });
    expect(LOG_RETENTION_DAYS).toContain(90);
  });

  it("refuses every bad value at once, each with its field path, the problem and the fix", () => {
    const issues = issuesOf(() => parse(base({ monitoring: { guardduty: "on", flowLogs: { retentionDays: 42, outboundSmtpPer5Min: 5, enable: false } } })));
    expect(issues.map((i) => i.path).sort()).toEqual([
      "mailfort:monitoring.flowLogs.enable", "mailfort:monitoring.flowLogs.outboundSmtpPer5Min", "mailfort:monitoring.flowLogs.retentionDays", "mailfort:monitoring.guardduty",
    ]);
    const at = (p: string) => issues.find((i) => i.path === `mailfort:monitoring.${p}`);
    expect(at("guardduty")?.problem).toContain('"on"');
    expect(`${at("guardduty")?.problem} ${at("guardduty")?.fix}`).toMatch(/create.*existing.*off/);
    expect(at("flowLogs.retentionDays")?.problem).toMatch(/not a retention CloudWatch Logs supports/);
    expect(at("flowLogs.retentionDays")?.fix).toContain("90, 120");
    expect(at("flowLogs.outboundSmtpPer5Min")?.fix).toContain("between 10 and 100000");
    expect(`${at("flowLogs.enable")?.problem} ${at("flowLogs.enable")?.fix}`).toContain("enabled");
  });

  it("refuses flow-log settings beside an existing subnet, where mailfort creates no VPC to log", () => {
    const subnet = { network: { subnetId: "subnet-0123456789abcdef0" } };
    const issues = issuesOf(() => parse(base({ ...subnet, monitoring: { flowLogs: { retentionDays: 30 } } })));
    expect(issues).toEqual([expect.objectContaining({ path: "mailfort:monitoring.flowLogs", problem: expect.stringContaining("has no effect with network.subnetId"), fix: expect.stringContaining("remove monitoring.flowLogs") })]);
    // Without the section the defaults stand, unused; GuardDuty settings are fine there.
    expect(parse(base({ ...subnet, monitoring: { guardduty: "existing" } })).monitoring.guardduty).toBe("existing");
  });

  it("reads `guardduty: off` from a stack file as the word, not as YAML 1.1's false", () => {
    expect(parseText(labMonitoring("  mailfort:monitoring:\n    guardduty: off\n")).monitoring.guardduty).toBe("off");
    const wrongType = issuesOf(() => parseText(labMonitoring("  mailfort:monitoring:\n    guardduty: false\n")));
    expect(wrongType.map((i) => i.path)).toEqual(["mailfort:monitoring.guardduty"]);
  });

  it("never reaches the host: the user data and the host bundle are the same whatever monitoring says", () => {
    const lab = renderHostConfig(parseText(labText));
    const other = renderHostConfig(parseText(labMonitoring("  mailfort:monitoring:\n    guardduty: off\n    flowLogs:\n      retentionDays: 7\n      outboundSmtpPer5Min: 20\n")));
    expect(parseText(labText).monitoring.flowLogs.enabled).toBe(false);
    expect(other.userDataBase64).toBe(lab.userDataBase64);
    expect(other.bundle).toEqual(lab.bundle);
  });
});

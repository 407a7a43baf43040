// The findings rule's event pattern as data, judged by the test suite's own EventBridge matcher
// against GuardDuty findings as EventBridge delivers them: medium and up, about this instance or
// its address, and nothing about any other instance.
import { describe, expect, it } from "vitest";
import { MIN_FINDING_SEVERITY, guardDutyFindingPattern } from "../../infra/core/guardduty-findings";
import { eventMatches } from "../support/event-pattern";

const OURS = { instanceId: "i-0123456789abcdef0", publicIpv4: "203.0.113.10" };
const pattern = guardDutyFindingPattern(OURS);

/** A GuardDuty finding event (schema 2.0) about an EC2 instance with one network interface. */
function finding(opts: { severity: number; instanceId?: string; publicIp?: string; ipv6?: string[]; source?: string; type?: string }): unknown {
  return {
    version: "0", "detail-type": "GuardDuty Finding", source: opts.source ?? "aws.guardduty", account: "123456789012", region: "eu-west-1", resources: [],
    detail: {
      schemaVersion: "2.0", accountId: "123456789012", region: "eu-west-1", type: opts.type ?? "Backdoor:EC2/Spambot", severity: opts.severity, title: "t",
      resource: {
        resourceType: "Instance",
        instanceDetails: {
          instanceId: opts.instanceId ?? "i-0fffffffffffffff0",
          networkInterfaces: [
            { networkInterfaceId: "eni-1", privateIpAddress: "10.42.0.10", publicIp: "198.51.100.99", ipv6Addresses: [] },
            { networkInterfaceId: "eni-2", privateIpAddress: "10.42.0.11", publicIp: opts.publicIp ?? "198.51.100.98", ipv6Addresses: opts.ipv6 ?? [] },
          ],
        },
      },
      service: { serviceName: "guardduty", action: { actionType: "NETWORK_CONNECTION" } },
    },
  };
}

describe("guardDutyFindingPattern", () => {
  it("matches this instance's findings from medium severity up, and not the low ones", () => {
    for (const severity of [4, 5.5, 8, 10]) expect(eventMatches(pattern, finding({ severity, instanceId: OURS.instanceId })), `severity ${severity}`).toBe(true);
    for (const severity of [1, 2, 3.9]) expect(eventMatches(pattern, finding({ severity, instanceId: OURS.instanceId })), `severity ${severity}`).toBe(false);
    expect(MIN_FINDING_SEVERITY).toBe(4);
  });

  it("matches a finding naming the server's public address on any interface, whatever the instance id", () => {
    expect(eventMatches(pattern, finding({ severity: 8, publicIp: OURS.publicIpv4 }))).toBe(true);
    expect(eventMatches(pattern, finding({ severity: 3, publicIp: OURS.publicIpv4 }))).toBe(false);
  });

  it("does not match another instance with another address, or a private address that happens to be ours", () => {
    expect(eventMatches(pattern, finding({ severity: 9 }))).toBe(false);
    expect(eventMatches(pattern, finding({ severity: 9, instanceId: "i-0123456789abcdef1" }))).toBe(false);
    // Private addresses repeat across VPCs (10.42.0.10 is every default mailfort stack's): never matched on.
    expect(JSON.stringify(pattern)).not.toContain("10.42.0.10");
  });

  it("matches only GuardDuty findings, not another source with the same detail", () => {
    expect(eventMatches(pattern, finding({ severity: 9, instanceId: OURS.instanceId, source: "aws.securityhub" }))).toBe(false);
    const accessKey = finding({ severity: 8 }) as { detail: { resource: unknown } };
    accessKey.detail.resource = { resourceType: "AccessKey", accessKeyDetails: { userName: "someone" } };
    expect(eventMatches(pattern, accessKey)).toBe(false);
  });

  it("with IPv6, matches the server's IPv6 address among an interface's addresses", () => {
    const v6 = guardDutyFindingPattern({ ...OURS, ipv6: "2600:1f18:1:200::10" });
    expect(eventMatches(v6, finding({ severity: 6, ipv6: ["2600:1f18:1:200::99", "2600:1f18:1:200::10"] }))).toBe(true);
    expect(eventMatches(v6, finding({ severity: 6, ipv6: ["2600:1f18:1:200::99"] }))).toBe(false);
    expect(eventMatches(pattern, finding({ severity: 6, ipv6: ["2600:1f18:1:200::10"] }))).toBe(false);
  });

  it("with the instance role, matches findings about its credentials (the access key's user is the role), not another role's", () => {
    const withRole = guardDutyFindingPattern({ ...OURS, roleName: "mailfort-prod-role" });
    const exfiltration = (userName: string, severity = 8) => {
      const f = finding({ severity, type: "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS" }) as { detail: { resource: unknown } };
      f.detail.resource = { resourceType: "AccessKey", accessKeyDetails: { accessKeyId: "ASIAEXAMPLE", principalId: `AROAEXAMPLE:${OURS.instanceId}`, userName, userType: "AssumedRole" } };
      return f;
    };
    expect(eventMatches(withRole, exfiltration("mailfort-prod-role"))).toBe(true);
    expect(eventMatches(withRole, exfiltration("mailfort-prod-role", 2))).toBe(false);
    expect(eventMatches(withRole, exfiltration("someone-elses-role"))).toBe(false);
    expect(eventMatches(pattern, exfiltration("mailfort-prod-role"))).toBe(false);
    expect(() => guardDutyFindingPattern({ ...OURS, roleName: 'x"]}' })).toThrow(/not an IAM role name/);
  });

  it("refuses an id or address that is not one (an unresolved output would otherwise match nothing, silently)", () => {
    expect(() => guardDutyFindingPattern({ ...OURS, instanceId: "" })).toThrow(/not an EC2 instance id/);
    expect(() => guardDutyFindingPattern({ ...OURS, publicIpv4: "undefined" })).toThrow(/not an IPv4 address/);
  });
});

describe("the test suite's EventBridge matcher", () => {
  it("matches arrays element by element, numeric ranges, and $or alternatives", () => {
    expect(eventMatches({ a: { b: ["x"] } }, { a: [{ b: "y" }, { b: "x" }] })).toBe(true);
    expect(eventMatches({ a: { b: ["x"] } }, { a: [{ b: "y" }] })).toBe(false);
    expect(eventMatches({ n: [{ numeric: [">=", 4, "<", 7] }] }, { n: 6.9 })).toBe(true);
    expect(eventMatches({ n: [{ numeric: [">=", 4, "<", 7] }] }, { n: 7 })).toBe(false);
    expect(eventMatches({ n: [{ numeric: [">=", 4] }] }, { n: "5" })).toBe(false);
    expect(eventMatches({ $or: [{ a: ["1"] }, { b: ["2"] }] }, { b: "2" })).toBe(true);
    expect(eventMatches({ $or: [{ a: ["1"] }, { b: ["2"] }] }, { c: "2" })).toBe(false);
    expect(eventMatches({ a: ["1"] }, {})).toBe(false);
  });

  it("throws on what it does not implement instead of passing it", () => {
    expect(() => eventMatches({ a: [{ prefix: "x" }] }, { a: "xy" })).toThrow(/unsupported condition/);
  });
});

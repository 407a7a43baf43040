// The pieces the config refusals stand on, as plain functions: IP ranges, "did you mean",
// DNSBL filters, the instance table; and the lists the config keeps beside other code (the AWS
// provider's keys, the record names the DNS core publishes), checked against that code.
import * as awsConfig from "@pulumi/aws/config";
import { describe, expect, it } from "vitest";
import { filtersOverlap, parseDnsblFilter } from "../../infra/config/dnsbl-filter";
import { instanceType } from "../../infra/config/instance-types";
import { contains, formatRange, hasHostBits, normaliseIpOrCidr, parseIpRange, parseIpv6 } from "../../infra/config/ip";
import { MAX_DNS_NAME, publishedPrefixes } from "../../infra/config/name-lengths";
import { AWS_PROVIDER_KEYS } from "../../infra/config/raw-screen";
import { closest } from "../../infra/config/suggest";
import { buildRecordSet } from "../../infra/core/dns";
import { inputsFor, mailConfig } from "./dns-fixtures";

describe("IP ranges", () => {
  it.each([
    ["2001:DB8::1", "2001:db8::1"], ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"], ["::", "::"], ["::1", "::1"],
    ["1::", "1::"], ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["0.0.0.0/0", "0.0.0.0/0"], ["198.51.100.0/24", "198.51.100.0/24"], ["::0/0", "::/0"],
  ])("%s is written %s (RFC 5952)", (given, canonical) => {
    expect(normaliseIpOrCidr(given)).toBe(canonical);
  });

  it.each([":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::1", "::1/129", "10.0.0.1/33", "256.0.0.1", "01.2.3.4", "1.2.3", "fe80::1%eth0", "::ffff:1.2.3.4", "", "/24", "1.2.3.4/"])("%j is not an address", (text) => {
    expect(parseIpRange(text)).toBeUndefined();
  });

  it("judges what a range covers", () => {
    const r = (t: string) => parseIpRange(t)!;
    expect(hasHostBits(r("198.51.100.7/24"))).toBe(true);
    expect(hasHostBits(r("2001:db8::/32"))).toBe(false);
    expect(contains(r("10.0.0.0/8"), r("10.1.2.0/24"))).toBe(true);
    expect(contains(r("10.1.2.0/24"), r("10.0.0.0/8"))).toBe(false);
    expect(contains(r("::/0"), r("10.0.0.0/8"))).toBe(false);
    expect(parseIpv6("::ffff")).toBe(0xffffn);
    expect(formatRange(r("0:0:0:0:0:0:0:0/0"))).toBe("::/0");
  });
});

describe("did you mean", () => {
  it.each([["alarmEmial", "alarmEmail"], ["alarm_email", "alarmEmail"], ["HOSTNAME", "hostname"], ["dnsbl", "dnsbls"], ["mailfrot", "mailfort"]])("%s -> %s", (typo, want) => {
    expect(closest(typo, ["alarmEmail", "hostname", "dnsbls", "mailfort", "aws"])).toBe(want);
  });

  it("suggests nothing for an unrelated word", () => {
    expect(closest("banana", ["alarmEmail", "hostname"])).toBeUndefined();
  });
});

describe("DNSBL filters", () => {
  it("reads Postfix's syntax and refuses what matches nothing", () => {
    expect(parseDnsblFilter("127.0.0.[2..11]")).toEqual({ ok: true, octets: [[[127, 127]], [[0, 0]], [[0, 0]], [[2, 11]]] });
    expect(parseDnsblFilter("127.0.[0..255].[1;3;10..20]").ok).toBe(true);
    for (const bad of ["127.0.0.999", "127.0.0.[11..2]", "128.0.0.2", "127.0.0", "127.0.0.[a]"]) expect(parseDnsblFilter(bad).ok, bad).toBe(false);
  });

  it("knows when two filters can match one reply", () => {
    const f = (t: string) => { const p = parseDnsblFilter(t); if (!p.ok) throw new Error(t); return p.octets; };
    expect(filtersOverlap(f("127.0.0.[2..3]"), f("127.0.0.[10..11]"))).toBe(false);
    expect(filtersOverlap(f("127.0.0.[2..5]"), f("127.0.0.[4..9]"))).toBe(true);
    expect(filtersOverlap(undefined, f("127.0.0.2"))).toBe(true);
  });
});

describe("the instance table", () => {
  it.each([["t4g.small", "arm64", 2], ["t3.micro", "amd64", 1], ["a1.medium", "arm64", 2], ["c6g.medium", "arm64", 2], ["m6g.medium", "arm64", 4], ["r7g.large", "arm64", 16], ["c5.9xlarge", "amd64", 72], ["m7i-flex.large", "amd64", 8]])("%s is %s with %d GiB", (name, arch, gib) => {
    expect(instanceType(name)).toEqual({ name, arch, memoryGib: gib });
  });

  it("knows no prototype names and no sizes a family lacks", () => {
    for (const t of ["constructor.large", "__proto__.large", "m5.medium", "t4g.metal", "t4g"]) expect(instanceType(t), t).toBeUndefined();
  });
});

describe("lists kept beside other code agree with it", () => {
  it("the AWS provider keys are exactly those @pulumi/aws reads", () => {
    // The module also exports helpers such as requireRegion(); the settings are the rest.
    expect([...AWS_PROVIDER_KEYS].sort()).toEqual(Object.keys(awsConfig).filter((k) => !k.startsWith("require")).sort());
  });

  it.each([
    ["direct", { domains: [{ name: "example.com", dkimSelector: "a-long-selector-of-32-characters" }, { name: "example.org", sendsMail: false }] }],
    ["ses", { outbound: { mode: "ses" }, domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false }] }],
  ])("every name the DNS core publishes (%s) is covered by the config's length budget", (mode, keys) => {
    const cfg = mailConfig(keys);
    const extra = mode === "ses" ? { sesDkimTokens: { "example.com": ["a".repeat(32), "b".repeat(32), "c".repeat(32)] } } : {};
    const records = buildRecordSet(cfg, inputsFor(cfg, extra));
    for (const d of cfg.domains) {
      const budget = Math.max(...publishedPrefixes(d, mode === "ses").map((p) => p.length));
      const longest = Math.max(...records.filter((r) => r.zone === d.name && r.name.endsWith(`.${d.name}`) && !r.name.includes("._report._dmarc.")).map((r) => r.name.length - d.name.length));
      expect(longest, `${d.name}: a published name is longer than the budget`).toBeLessThanOrEqual(budget);
      expect(d.name.length + budget).toBeLessThanOrEqual(MAX_DNS_NAME);
    }
  });
});

// Specification: the MTA-STS policy (RFC 8461 3.2) and its id (RFC 8461 3.1).
import { describe, expect, it } from "vitest";
import { mtaStsId, mtaStsPolicy } from "../../infra/core/dns";
import { mailConfig } from "./dns-fixtures";

const policyOf = (hostname: string, mtaSts: Record<string, unknown>) => {
  const cfg = mailConfig({ hostname, domains: [{ name: "example.com", mtaSts }] });
  return mtaStsPolicy(cfg, cfg.domains[0]!);
};

describe("MTA-STS policy text", () => {
  it("version, mode, mx, max_age in seconds; CRLF after every line", () => {
    expect(policyOf("mail.example.com", {})).toBe("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n");
    expect(policyOf("mx.example.com", { mode: "testing", maxAgeDays: 30 })).toBe("version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 2592000\r\n");
  });

  it("has no bare LF", () => {
    expect(policyOf("mail.example.com", {}).replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });

  it("max_age stays within RFC 8461's 31557600 seconds at the largest allowed setting", () => {
    const maxAge = Number(/max_age: (\d+)/.exec(policyOf("mail.example.com", { maxAgeDays: 365 }))![1]);
    expect(maxAge).toBe(365 * 86400);
    expect(maxAge).toBeLessThanOrEqual(31_557_600);
  });
});

describe("MTA-STS id", () => {
  const base = { hostname: "mail.example.com", mtaSts: { mode: "enforce", maxAgeDays: 7 } };
  const idOf = (hostname: string, mtaSts: Record<string, unknown>) => mtaStsId(policyOf(hostname, mtaSts));
  const baseId = idOf(base.hostname, base.mtaSts);

  it("is 1-32 characters of [A-Za-z0-9]", () => {
    expect(baseId).toMatch(/^[A-Za-z0-9]{1,32}$/);
  });

  it.each([
    ["mode", base.hostname, { ...base.mtaSts, mode: "testing" }],
    ["mode none", base.hostname, { ...base.mtaSts, mode: "none" }],
    ["max_age", base.hostname, { ...base.mtaSts, maxAgeDays: 8 }],
    ["hostname (the mx line)", "mx2.example.com", base.mtaSts],
  ])("changes when the policy's %s changes", (_what, hostname, mtaSts) => {
    expect(idOf(hostname, mtaSts)).not.toBe(baseId);
  });

  it("does not change when anything outside the policy changes", () => {
    const other = mailConfig({
      hostname: base.hostname,
      domains: [{ name: "example.com", mtaSts: base.mtaSts, dmarc: { policy: "none" }, dkimSelector: "other" }, { name: "example.net", mtaSts: base.mtaSts }],
      features: { pop3: true, ipv6: true, dnssec: true },
      limits: { messageSizeMb: 50 },
    });
    for (const d of other.domains) expect(mtaStsId(mtaStsPolicy(other, d))).toBe(baseId);
  });

  it("is a pure function of the text", () => {
    expect(mtaStsId("version: STSv1\r\n")).toBe(mtaStsId("version: STSv1\r\n"));
    expect(mtaStsId("version: STSv1\r\n")).not.toBe(mtaStsId("version: STSv1\n"));
  });
});

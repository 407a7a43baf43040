// Specification: DMARC records (RFC 7489) and report authorization records (RFC 7489 7.1).
import { describe, expect, it } from "vitest";
import { buildRecordSet, txtText } from "../../infra/core/dns";
import { inputsFor, mailConfig, valuesAt } from "./dns-fixtures";

const dmarcOf = (dmarc: Record<string, unknown>, domain = "example.com") => {
  const cfg = mailConfig({ domains: [{ name: domain, dmarc }] });
  return txtText(valuesAt(buildRecordSet(cfg, inputsFor(cfg)), `_dmarc.${domain}`, "TXT")[0]!);
};

describe("DMARC record", () => {
  it.each([
    ["reject", "v=DMARC1; p=reject; sp=reject; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com"],
    ["quarantine", "v=DMARC1; p=quarantine; sp=quarantine; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com"],
    ["none", "v=DMARC1; p=none; sp=none; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com"],
  ])("policy %s (sp follows p; reports to dmarc-reports@ by default, read on the host)", (policy, expected) => {
    expect(dmarcOf({ policy })).toBe(expected);
  });

  it("defaults to p=reject", () => {
    expect(dmarcOf({})).toMatch(/^v=DMARC1; p=reject; /);
  });

  it("a separate subdomain policy, strict alignment and pct below 100", () => {
    expect(dmarcOf({ policy: "quarantine", subdomainPolicy: "reject", pct: 25, adkim: "s", aspf: "s" }))
      .toBe("v=DMARC1; p=quarantine; sp=reject; pct=25; adkim=s; aspf=s; rua=mailto:dmarc-reports@example.com");
  });

  it("pct=100 is the default and left out", () => {
    expect(dmarcOf({ pct: 100 })).not.toContain("pct=");
  });

  it("custom rua: several addresses, comma separated mailto: URIs", () => {
    expect(dmarcOf({ rua: ["dmarc@example.net", "postmaster@example.com"] }))
      .toBe("v=DMARC1; p=reject; sp=reject; adkim=r; aspf=r; rua=mailto:dmarc@example.net,mailto:postmaster@example.com");
  });

  it("ruf set: ruf=mailto:... and fo=1 (a report when any mechanism fails)", () => {
    expect(dmarcOf({ ruf: ["forensic@example.net"] }))
      .toBe("v=DMARC1; p=reject; sp=reject; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com; ruf=mailto:forensic@example.net; fo=1");
  });

  it("no ruf: no fo tag", () => {
    expect(dmarcOf({})).not.toMatch(/ruf=|fo=/);
  });
});

describe("DMARC report authorization (RFC 7489 7.1)", () => {
  it("a rua/ruf address in another configured mail domain: <domain>._report._dmarc.<report-domain> in that zone", () => {
    const cfg = mailConfig({
      domains: [
        { name: "example.com", dmarc: { rua: ["postmaster@example.net"], ruf: ["postmaster@example.org"] } },
        { name: "example.net" },
        { name: "example.org" },
      ],
    });
    const records = buildRecordSet(cfg, inputsFor(cfg)).filter((r) => r.name.includes("._report._dmarc."));
    expect(records.map((r) => [r.zone, r.name, r.type, r.values])).toEqual([
      ["example.net", "example.com._report._dmarc.example.net", "TXT", [`"v=DMARC1"`]],
      ["example.org", "example.com._report._dmarc.example.org", "TXT", [`"v=DMARC1"`]],
    ]);
    expect(records.every((r) => r.purpose === "DMARC report authorization")).toBe(true);
  });

  it("one record per pair even when rua and ruf share the report domain", () => {
    const cfg = mailConfig({
      domains: [{ name: "example.com", dmarc: { rua: ["postmaster@example.net"], ruf: ["abuse@example.net"] } }, { name: "example.net" }],
    });
    expect(buildRecordSet(cfg, inputsFor(cfg)).filter((r) => r.name.includes("._report._dmarc.")).map((r) => r.name)).toEqual(["example.com._report._dmarc.example.net"]);
  });

  it("reports to the domain itself, or to an outside domain: nothing to publish here", () => {
    const cfg = mailConfig({
      domains: [{ name: "example.com", dmarc: { rua: ["postmaster@example.com", "reports@dmarc.example"] } }, { name: "example.net" }],
    });
    expect(buildRecordSet(cfg, inputsFor(cfg)).filter((r) => r.name.includes("._report._dmarc."))).toEqual([]);
  });

  it("a subdomain reporting to its parent shares the organizational domain: no record", () => {
    const cfg = mailConfig({
      domains: [{ name: "example.com" }, { name: "eu.example.com", zoneId: "Z0123456789ABCDEFGHIJ", dmarc: { rua: ["postmaster@example.com"] } }],
    });
    expect(buildRecordSet(cfg, inputsFor(cfg)).filter((r) => r.name.includes("._report._dmarc."))).toEqual([]);
  });

  it("two domains reporting to each other: one record in each zone", () => {
    const cfg = mailConfig({
      domains: [{ name: "example.com", dmarc: { rua: ["postmaster@example.net"] } }, { name: "example.net", dmarc: { rua: ["postmaster@example.com"] } }],
    });
    const auth = buildRecordSet(cfg, inputsFor(cfg)).filter((r) => r.name.includes("._report._dmarc."));
    expect(auth.map((r) => [r.zone, r.name])).toEqual([
      ["example.com", "example.net._report._dmarc.example.com"],
      ["example.net", "example.com._report._dmarc.example.net"],
    ]);
  });
});

// Specification: a parked domain (sendsMail false) and the Amazon SES outbound variant.
import { describe, expect, it } from "vitest";
import { buildRecordSet, txtText } from "../../infra/core/dns";
import { IPV4, inputsFor, mailConfig, valuesAt } from "./dns-fixtures";

describe("a parked domain (sendsMail: false)", () => {
  const cfg = mailConfig({ domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false }], features: { dnssec: true, ipv6: true, pop3: true } });
  const records = buildRecordSet(cfg, inputsFor(cfg));
  const parked = records.filter((r) => r.zone === "example.org");

  it("publishes exactly: null MX, SPF -all, DMARC reject with strict alignment, revoked DKIM wildcard", () => {
    expect(parked.map((r) => [r.name, r.type, r.values])).toEqual([
      ["example.org", "MX", ["0 ."]],
      ["example.org", "TXT", [`"v=spf1 -all"`]],
      ["_dmarc.example.org", "TXT", [`"v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s"`]],
      ["*._domainkey.example.org", "TXT", [`"v=DKIM1; p="`]],
    ]);
  });

  it("needs no DKIM key, and gets no MTA-STS, TLS-RPT, SRV, CAA, autoconfig or address records", () => {
    expect(parked.some((r) => ["A", "AAAA", "SRV", "CAA", "CNAME", "TLSA"].includes(r.type))).toBe(false);
    expect(parked.some((r) => /_mta-sts|_smtp\._tls|autoconfig|autodiscover/.test(r.name))).toBe(false);
  });

  it("ignores its dmarc settings: the record is always reject", () => {
    const c = mailConfig({ domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false, dmarc: { policy: "none" } }] });
    expect(txtText(valuesAt(buildRecordSet(c, inputsFor(c)), "_dmarc.example.org", "TXT")[0]!)).toBe("v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s");
  });

  it("can still hold the mail hostname (its A record), next to the parked records", () => {
    const c = mailConfig({ hostname: "mail.example.org", domains: [{ name: "example.com" }, { name: "example.org", sendsMail: false }] });
    const r = buildRecordSet(c, inputsFor(c));
    expect(valuesAt(r, "mail.example.org", "A")).toEqual([IPV4]);
    expect(valuesAt(r, "example.org", "MX")).toEqual(["0 ."]);
    expect(valuesAt(r, "example.com", "MX")).toEqual(["10 mail.example.org."]);
  });

  it("is not a DMARC report destination: it takes no mail, so the config refuses reports to it", () => {
    expect(() => mailConfig({ domains: [{ name: "example.com", dmarc: { rua: ["dmarc@example.org"] } }, { name: "example.org", sendsMail: false }] }))
      .toThrow(/dmarc\.rua\[0\]: example\.org is a parked domain \(null MX\)/);
  });
});

describe("outbound through Amazon SES", () => {
  const tokens = {
    "example.com": ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccccccc"],
    "example.net": ["dddddddddddddddddddddddddddddddd", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "ffffffffffffffffffffffffffffffff"],
  };
  const cfg = mailConfig({ domains: [{ name: "example.com" }, { name: "example.net" }], outbound: { mode: "ses" } });
  const records = buildRecordSet(cfg, inputsFor(cfg, { sesDkimTokens: tokens }));

  it("SPF includes amazonses.com and still ends in -all", () => {
    for (const d of ["example.com", "example.net"]) expect(valuesAt(records, d, "TXT")).toEqual([`"v=spf1 mx include:amazonses.com -all"`]);
  });

  it("three easy-DKIM CNAMEs per domain: <token>._domainkey.<domain> -> <token>.dkim.amazonses.com.", () => {
    const cnames = records.filter((r) => r.type === "CNAME");
    expect(cnames.map((r) => [r.zone, r.name, r.values])).toEqual(
      Object.entries(tokens).flatMap(([d, ts]) => ts.map((t) => [d, `${t}._domainkey.${d}`, [`${t}.dkim.amazonses.com.`]])),
    );
  });

  it("keeps the host's own DKIM record (the host signs too)", () => {
    expect(valuesAt(records, "mail._domainkey.example.com", "TXT")).toHaveLength(1);
  });

  it("refuses to build without the SES tokens of a mail domain", () => {
    expect(() => buildRecordSet(cfg, inputsFor(cfg, { sesDkimTokens: { "example.com": tokens["example.com"] } }))).toThrow(/sesDkimTokens has no tokens for example\.net/);
  });

  it("refuses a token that is not an SES token (it becomes a DNS name)", () => {
    expect(() => buildRecordSet(cfg, inputsFor(cfg, { sesDkimTokens: { ...tokens, "example.net": ["bad token\n"] } }))).toThrow(/not an SES token/);
  });

  it("direct mode: no SES CNAMEs even when tokens are passed", () => {
    const direct = mailConfig({ domains: [{ name: "example.com" }, { name: "example.net" }] });
    expect(buildRecordSet(direct, inputsFor(direct, { sesDkimTokens: tokens })).filter((r) => r.type === "CNAME")).toEqual([]);
  });
});

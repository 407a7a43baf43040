// Specification: the records of a domain that sends and receives mail through mailfort.
import { createHash, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type DnsRecord, buildRecordSet, txtStrings, txtText } from "../../infra/core/dns";
import { IPV4, IPV6, find, inputsFor, mailConfig, rsaPublicKeyPem, valuesAt } from "./dns-fixtures";

const spkiBase64 = (pem: string) => createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");
const table = (records: readonly DnsRecord[]) => records.map((r) => [r.name, r.type, r.ttl, r.values.length === 1 ? r.values[0] : r.values]);

describe("one mail domain with the defaults (direct outbound, no IPv6, no DNSSEC, no POP3)", () => {
  const cfg = mailConfig();
  const records = buildRecordSet(cfg, inputsFor(cfg));
  const policy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n";
  const stsId = createHash("sha256").update(policy).digest("hex").slice(0, 32);

  it("publishes exactly this record set, in canonical order", () => {
    const dkim = records.find((r) => r.name === "mail._domainkey.example.com")!;
    expect(table(records)).toEqual([
      ["example.com", "MX", 3600, "10 mail.example.com."],
      ["example.com", "TXT", 3600, `"v=spf1 mx -all"`],
      ["example.com", "CAA", 3600, [`0 iodef "mailto:postmaster@example.com"`, `0 issue "letsencrypt.org"`, `0 issuewild ";"`]],
      ["_dmarc.example.com", "TXT", 3600, `"v=DMARC1; p=reject; sp=reject; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com"`],
      ["mail._domainkey.example.com", "TXT", 3600, dkim.values[0]],
      ["_mta-sts.example.com", "TXT", 3600, `"v=STSv1; id=${stsId}"`],
      ["_autodiscover._tcp.example.com", "SRV", 3600, "0 0 443 mail.example.com."],
      ["_imap._tcp.example.com", "SRV", 3600, "0 0 0 ."],
      ["_imaps._tcp.example.com", "SRV", 3600, "0 1 993 mail.example.com."],
      ["_pop3._tcp.example.com", "SRV", 3600, "0 0 0 ."],
      ["_pop3s._tcp.example.com", "SRV", 3600, "0 0 0 ."],
      ["_submission._tcp.example.com", "SRV", 3600, "0 1 587 mail.example.com."],
      ["_submissions._tcp.example.com", "SRV", 3600, "0 1 465 mail.example.com."],
      ["_smtp._tls.example.com", "TXT", 3600, `"v=TLSRPTv1; rua=mailto:tls-reports@example.com"`],
      ["autoconfig.example.com", "A", 3600, IPV4],
      ["autodiscover.example.com", "A", 3600, IPV4],
      ["mail.example.com", "A", 3600, IPV4],
      ["mail.example.com", "TXT", 3600, `"v=spf1 a -all"`],
      ["mta-sts.example.com", "A", 3600, IPV4],
    ]);
    expect(records.every((r) => r.zone === "example.com")).toBe(true);
  });

  it("labels every record with its purpose", () => {
    expect(find(records, "example.com", "MX")!.purpose).toBe("MX");
    expect(find(records, "example.com", "TXT")!.purpose).toBe("SPF");
    expect(find(records, "mail._domainkey.example.com", "TXT")!.purpose).toBe("DKIM");
    expect(find(records, "_dmarc.example.com", "TXT")!.purpose).toBe("DMARC");
    expect(find(records, "_mta-sts.example.com", "TXT")!.purpose).toBe("MTA-STS");
    expect(find(records, "_smtp._tls.example.com", "TXT")!.purpose).toBe("TLS-RPT");
    expect(find(records, "example.com", "CAA")!.purpose).toBe("CAA");
    expect(find(records, "_imaps._tcp.example.com", "SRV")!.purpose).toBe("SRV");
    expect(find(records, "autoconfig.example.com", "A")!.purpose).toBe("autoconfig");
  });

  it("DKIM: v=DKIM1; k=rsa; p=<base64 SPKI DER>, in strings of at most 255 characters", () => {
    const value = valuesAt(records, "mail._domainkey.example.com", "TXT")[0]!;
    const strings = txtStrings(value);
    expect(strings.length).toBeGreaterThan(1); // a 2048-bit key does not fit in one string
    for (const s of strings) expect(s.length).toBeLessThanOrEqual(255);
    expect(strings.join("")).toBe(`v=DKIM1; k=rsa; p=${spkiBase64(rsaPublicKeyPem("dkim:example.com"))}`);
  });

  it("SPF ends in -all", () => {
    expect(txtText(valuesAt(records, "example.com", "TXT")[0]!)).toMatch(/ -all$/);
  });

  it("has no two record sets with the same name and type", () => {
    const keys = records.map((r) => `${r.name} ${r.type}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("is deterministic: the same input gives the same records", () => {
    expect(buildRecordSet(cfg, inputsFor(cfg))).toEqual(records);
  });
});

describe("options of a mail domain", () => {
  it("POP3 on: _pop3s._tcp points at the host on 995; plaintext _pop3 stays '.'", () => {
    const cfg = mailConfig({ features: { pop3: true } });
    const records = buildRecordSet(cfg, inputsFor(cfg));
    expect(valuesAt(records, "_pop3s._tcp.example.com", "SRV")).toEqual(["0 1 995 mail.example.com."]);
    expect(valuesAt(records, "_pop3._tcp.example.com", "SRV")).toEqual(["0 0 0 ."]);
    expect(valuesAt(records, "_imap._tcp.example.com", "SRV")).toEqual(["0 0 0 ."]);
  });

  it("IPv6 on: AAAA next to every A (host, mta-sts, autoconfig, autodiscover)", () => {
    const cfg = mailConfig({ features: { ipv6: true } });
    const records = buildRecordSet(cfg, inputsFor(cfg));
    const aNames = records.filter((r) => r.type === "A").map((r) => r.name);
    const aaaaNames = records.filter((r) => r.type === "AAAA").map((r) => r.name);
    expect(aNames).toEqual(["autoconfig.example.com", "autodiscover.example.com", "mail.example.com", "mta-sts.example.com"]);
    expect(aaaaNames).toEqual(aNames);
    for (const n of aaaaNames) expect(valuesAt(records, n, "AAAA")).toEqual([IPV6]);
  });

  it("IPv6 on but the server has no IPv6 address: no AAAA", () => {
    const cfg = mailConfig({ features: { ipv6: true } });
    const records = buildRecordSet(cfg, inputsFor(cfg, { addresses: { ipv4: IPV4 } }));
    expect(records.filter((r) => r.type === "AAAA")).toEqual([]);
  });

  it("IPv6 off: no AAAA even when the server has an IPv6 address", () => {
    const cfg = mailConfig();
    expect(buildRecordSet(cfg, inputsFor(cfg)).filter((r) => r.type === "AAAA")).toEqual([]);
  });

  it("DNSSEC on: TLSA 3 1 1 <sha256 of the TLS key's SPKI> at _25._tcp.<hostname> only, TTL 300", () => {
    const cfg = mailConfig({ features: { dnssec: true } });
    const records = buildRecordSet(cfg, inputsFor(cfg));
    const der = createPublicKey(rsaPublicKeyPem("tls")).export({ type: "spki", format: "der" });
    const tlsa = records.filter((r) => r.type === "TLSA");
    expect(tlsa).toEqual([{ zone: "example.com", name: "_25._tcp.mail.example.com", type: "TLSA", ttl: 300, values: [`3 1 1 ${createHash("sha256").update(der).digest("hex")}`], purpose: "TLSA (DANE)" }]);
  });

  it("DNSSEC off: no TLSA (unsigned TLSA is ignored by senders, RFC 7672 2.2)", () => {
    const cfg = mailConfig();
    expect(buildRecordSet(cfg, inputsFor(cfg)).filter((r) => r.type === "TLSA")).toEqual([]);
  });

  it("DNSSEC on without a TLS key yet: no TLSA", () => {
    const cfg = mailConfig({ features: { dnssec: true } });
    expect(buildRecordSet(cfg, inputsFor(cfg, { tlsPublicKeyPem: undefined })).filter((r) => r.type === "TLSA")).toEqual([]);
  });

  it("a custom DKIM selector names the DKIM record; while a rotation overlaps two generations both are published (dkim-rotation.test.ts walks every step)", () => {
    const cfg = mailConfig({ domains: [{ name: "example.com", dkimSelector: "mail2026" }] });
    expect(buildRecordSet(cfg, inputsFor(cfg)).filter((r) => r.name.endsWith("._domainkey.example.com")).map((r) => r.name)).toEqual(["mail2026._domainkey.example.com"]);
    const rotating = { ...cfg, dkimLayout: { signing: 0, published: [0, 1], revoked: [] } };
    expect(buildRecordSet(rotating, inputsFor(rotating)).filter((r) => r.name.endsWith("._domainkey.example.com")).map((r) => r.name)).toEqual([
      "mail2026._domainkey.example.com", "mail2026-g1._domainkey.example.com",
    ]);
  });

  it("TLS-RPT: custom report addresses", () => {
    const cfg = mailConfig({ domains: [{ name: "example.com", tlsRptRua: ["tls@example.net", "ops@example.net"] }] });
    expect(valuesAt(buildRecordSet(cfg, inputsFor(cfg)), "_smtp._tls.example.com", "TXT")).toEqual([`"v=TLSRPTv1; rua=mailto:tls@example.net,mailto:ops@example.net"`]);
  });

  it("MTA-STS mode testing: the TXT and the policy host are published, id from the testing policy", () => {
    const cfg = mailConfig({ domains: [{ name: "example.com", mtaSts: { mode: "testing", maxAgeDays: 1 } }] });
    const records = buildRecordSet(cfg, inputsFor(cfg));
    const policy = "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n";
    expect(valuesAt(records, "_mta-sts.example.com", "TXT")).toEqual([`"v=STSv1; id=${createHash("sha256").update(policy).digest("hex").slice(0, 32)}"`]);
    expect(valuesAt(records, "mta-sts.example.com", "A")).toEqual([IPV4]);
  });

  it("MTA-STS mode none: still published, so a withdrawn policy replaces senders' cached one (RFC 8461 8.3)", () => {
    const cfg = mailConfig({ domains: [{ name: "example.com", mtaSts: { mode: "none" } }] });
    const records = buildRecordSet(cfg, inputsFor(cfg));
    const enforce = buildRecordSet(mailConfig(), inputsFor(mailConfig()));
    expect(valuesAt(records, "_mta-sts.example.com", "TXT")).toHaveLength(1);
    expect(valuesAt(records, "_mta-sts.example.com", "TXT")).not.toEqual(valuesAt(enforce, "_mta-sts.example.com", "TXT"));
  });
});

describe("the mail hostname", () => {
  it("lives in the zone of the configured domain that contains it, with A, HELO SPF and TLSA", () => {
    const cfg = mailConfig({
      hostname: "mx1.example.net",
      domains: [{ name: "example.com" }, { name: "example.net" }],
      features: { dnssec: true, ipv6: true },
    });
    const records = buildRecordSet(cfg, inputsFor(cfg));
    const host = records.filter((r) => r.name === "mx1.example.net" || r.name === "_25._tcp.mx1.example.net");
    expect(host.map((r) => [r.zone, r.name, r.type])).toEqual([
      ["example.net", "mx1.example.net", "A"],
      ["example.net", "mx1.example.net", "AAAA"],
      ["example.net", "mx1.example.net", "TXT"],
      ["example.net", "_25._tcp.mx1.example.net", "TLSA"],
    ]);
    expect(valuesAt(records, "example.com", "MX")).toEqual(["10 mx1.example.net."]);
    expect(valuesAt(records, "example.net", "MX")).toEqual(["10 mx1.example.net."]);
  });

  it("picks the longest configured domain: a delegated subdomain's own zone", () => {
    const cfg = mailConfig({
      hostname: "mail.eu.example.com",
      domains: [{ name: "example.com" }, { name: "eu.example.com", zoneId: "Z0123456789ABCDEFGHIJ" }],
    });
    const records = buildRecordSet(cfg, inputsFor(cfg));
    expect(find(records, "mail.eu.example.com", "A")!.zone).toBe("eu.example.com");
    expect(find(records, "_dmarc.eu.example.com", "TXT")!.zone).toBe("eu.example.com");
    expect(find(records, "_dmarc.example.com", "TXT")!.zone).toBe("example.com");
  });

  it("as a domain apex itself: no second SPF record at the apex (two SPF records are a permerror)", () => {
    const cfg = mailConfig({ hostname: "example.com" });
    const records = buildRecordSet(cfg, inputsFor(cfg));
    expect(valuesAt(records, "example.com", "TXT")).toEqual([`"v=spf1 mx -all"`]);
    expect(valuesAt(records, "example.com", "A")).toEqual([IPV4]);
  });
});

describe("many domains", () => {
  const cfg = mailConfig({
    hostname: "mail.example.com",
    domains: [{ name: "example.com" }, { name: "example.net" }, { name: "example.org", sendsMail: false }],
    features: { ipv6: true, dnssec: true, pop3: true },
  });
  const records = buildRecordSet(cfg, inputsFor(cfg));

  it("keeps one record set per zone, name and type (what Route53 requires)", () => {
    const keys = records.map((r) => `${r.zone} ${r.name} ${r.type}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of records) expect(new Set(r.values).size).toBe(r.values.length);
  });

  it("sorts by zone, then name in DNS order, then type", () => {
    const zones = records.map((r) => r.zone);
    expect(zones).toEqual([...zones].sort());
    const inNet = records.filter((r) => r.zone === "example.net").map((r) => r.name);
    expect(inNet[0]).toBe("example.net");
  });

  it("names are lowercase FQDNs without a trailing dot, each inside its zone", () => {
    for (const r of records) {
      expect(r.name).toMatch(/^[a-z0-9_*.-]+[a-z]$/);
      expect(r.name === r.zone || r.name.endsWith(`.${r.zone}`)).toBe(true);
    }
  });

  it("every TXT string is at most 255 characters", () => {
    for (const r of records.filter((x) => x.type === "TXT")) for (const v of r.values) for (const s of txtStrings(v)) expect(s.length).toBeLessThanOrEqual(255);
  });

  it("each mail domain gets its own MX, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, CAA, SRV and autoconfig", () => {
    for (const d of ["example.com", "example.net"]) {
      expect(find(records, d, "MX")).toBeDefined();
      expect(find(records, d, "CAA")).toBeDefined();
      for (const n of [d, `mail._domainkey.${d}`, `_dmarc.${d}`, `_mta-sts.${d}`, `_smtp._tls.${d}`]) expect(find(records, n, "TXT"), n).toBeDefined();
      for (const n of ["_submissions._tcp", "_submission._tcp", "_imaps._tcp", "_imap._tcp", "_pop3s._tcp", "_pop3._tcp", "_autodiscover._tcp"]) expect(find(records, `${n}.${d}`, "SRV"), n).toBeDefined();
      for (const n of ["autoconfig", "autodiscover", "mta-sts"]) expect(find(records, `${n}.${d}`, "A"), n).toBeDefined();
    }
  });
});

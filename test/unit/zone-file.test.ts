// Specification: RFC 1035 zone files from the record set, checked by real parsers: BIND's
// named-checkzone (strict), NSD's nsd-checkzone (the lab's DNS server), and a round trip
// through named-compilezone, whose canonical output must equal the records we rendered.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { MailConfig } from "../../infra/config";
import { type DnsRecord, buildRecordSet, ptrRecords, renderReverseZone, renderZoneFile } from "../../infra/core/dns";
import { IPV4, inputsFor, mailConfig, stackConfig } from "./dns-fixtures";

const tools = ["named-checkzone", "named-compilezone", "nsd-checkzone"];
const missing = tools.filter((t) => spawnSync(t, ["-h"]).error !== undefined);
// CI must have them (.ci/apt-packages: bind9-utils, nsd); a developer box without them skips loudly.
const skipParsers = missing.length > 0 && process.env.CI !== "true";
if (skipParsers) console.warn(`zone-file.test.ts: SKIPPING the real-parser checks: ${missing.join(", ")} not installed (apt-get install bind9-utils nsd)`);

const dir = mkdtempSync(join(tmpdir(), "mailfort-zones-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Out of every zone under test (RFC 6761 .example), so they need no glue.
const NS = ["ns1.dns.example", "ns2.dns.example"];
const SERIAL = 2026112701;

function writeZone(zone: string, text: string): string {
  const file = join(dir, `${zone}.zone`);
  writeFileSync(file, text);
  return file;
}

/** named-checkzone with every check that can fail turned to fail; in-zone checks only (no network). */
function namedCheck(zone: string, file: string) {
  return spawnSync("named-checkzone", ["-i", "local", "-k", "fail", "-n", "fail", "-m", "fail", "-M", "fail", "-S", "fail", "-r", "fail", zone, file], { encoding: "utf8" });
}

/** BIND's canonical form of the zone: one "name ttl class type rdata" line per record. */
function compiled(zone: string, file: string): string[] {
  const r = spawnSync("named-compilezone", ["-q", "-i", "local", "-k", "fail", "-o", "-", zone, file], { encoding: "utf8" });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  return r.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => {
    const m = /^(\S+)\s+(\d+)\s+IN\s+(\S+)\s+(.*)$/.exec(l);
    if (m === null) throw new Error(`unexpected named-compilezone line: ${l}`);
    return canonical(m[1]!, Number(m[2]), m[3]!, m[4]!.trim());
  }).sort();
}

function canonical(name: string, ttl: number, type: string, rdata: string): string {
  // BIND prints TLSA data upper-case in groups; compare the hex as one lowercase string.
  const data = type === "TLSA" ? rdata.replace(/^(\d+ \d+ \d+) (.*)$/, (_m, head: string, hex: string) => `${head} ${hex.replace(/\s+/g, "").toLowerCase()}`) : rdata;
  return `${name.toLowerCase()} ${ttl} ${type} ${data}`;
}

function expectedLines(zone: string, records: readonly DnsRecord[], nameservers = NS, extra: readonly DnsRecord[] = []): string[] {
  const soa = canonical(`${zone}.`, 3600, "SOA", `${nameservers[0]}. hostmaster.${zone}. ${SERIAL} 7200 3600 1209600 300`);
  const ns = nameservers.map((n) => canonical(`${zone}.`, 3600, "NS", `${n}.`));
  const data = [...records.filter((r) => r.zone === zone), ...extra].flatMap((r) => r.values.map((v) => canonical(`${r.name}.`, r.ttl, r.type, v)));
  return [soa, ...ns, ...data].sort();
}

function checkAllZones(cfg: MailConfig, records: readonly DnsRecord[]) {
  for (const d of cfg.domains) {
    const text = renderZoneFile(d.name, records, { nameservers: NS, hostmaster: `hostmaster@${d.name}`, serial: SERIAL });
    const file = writeZone(d.name, text);
    const bind = namedCheck(d.name, file);
    expect(bind.status, `${d.name}: ${bind.stdout}${bind.stderr}\n${text}`).toBe(0);
    expect(bind.stdout).toContain("OK");
    const nsd = spawnSync("nsd-checkzone", [d.name, file], { encoding: "utf8" });
    expect(nsd.status, `${d.name}: ${nsd.stdout}${nsd.stderr}`).toBe(0);
    expect(compiled(d.name, file)).toEqual(expectedLines(d.name, records));
  }
}

describe.each(["lab", "dev", "prod"])("the zone files of stack %s", (stack) => {
  const cfg = stackConfig(stack);
  const records = buildRecordSet(cfg, inputsFor(cfg));

  it.skipIf(skipParsers)("are accepted by named-checkzone and nsd-checkzone, and re-parse to exactly our records", () => {
    checkAllZones(cfg, records);
  });

  it("hold every record of the set, each in exactly one zone file", () => {
    const zones = new Set(cfg.domains.map((d) => d.name));
    expect(records.every((r) => zones.has(r.zone))).toBe(true);
  });
});

describe("a stack with everything on (3 domains, one parked, SES, IPv6, DNSSEC, POP3, cross-domain reports)", () => {
  const cfg = mailConfig({
    hostname: "mx.example.net",
    domains: [
      { name: "example.com", dmarc: { rua: ["postmaster@example.net"], ruf: ["abuse@example.net"], pct: 50 } },
      { name: "example.net", dkimSelector: "s2026" },
      { name: "example.org", sendsMail: false },
    ],
    outbound: { mode: "ses" },
    features: { ipv6: true, dnssec: true, pop3: true },
  });
  const tokens = (c: string) => [1, 2, 3].map((i) => `${c}${i}`.padEnd(32, c));
  const records = buildRecordSet(cfg, inputsFor(cfg, { sesDkimTokens: { "example.com": tokens("a"), "example.net": tokens("b") } }));

  it.skipIf(skipParsers)("renders zone files the real parsers accept and re-parse exactly", () => {
    checkAllZones(cfg, records);
  });
});

describe("zone file layout", () => {
  const cfg = mailConfig({ features: { dnssec: true } });
  const records = buildRecordSet(cfg, inputsFor(cfg));
  const text = renderZoneFile("example.com", records, { nameservers: ["ns1.example.net."], hostmaster: "host.master@example.com", serial: 7 });
  const lines = text.split("\n");

  it("starts with $ORIGIN, $TTL, SOA (serial, RNAME with the local part's dot escaped) and NS", () => {
    expect(lines.slice(1, 4)).toEqual(["$ORIGIN example.com.", "$TTL 3600", "@ IN SOA ns1.example.net. host\\.master.example.com. ("]);
    expect(lines[4]).toMatch(/^\s+7 ; serial$/);
    expect(lines).toContain("@ IN NS ns1.example.net.");
  });

  it("writes owner names relative to the origin, '@' for the apex", () => {
    expect(lines).toContain("@ 3600 IN MX 10 mail.example.com.");
    expect(lines).toContain("_dmarc 3600 IN TXT \"v=DMARC1; p=reject; sp=reject; adkim=r; aspf=r; rua=mailto:dmarc-reports@example.com\"");
    expect(lines.some((l) => l.startsWith("_25._tcp.mail 300 IN TLSA 3 1 1 "))).toBe(true);
  });

  it("puts a comment with the purpose above each group", () => {
    for (const p of ["; MX", "; SPF", "; DKIM", "; DMARC", "; MTA-STS", "; TLS-RPT", "; CAA", "; SRV", "; autoconfig", "; TLSA (DANE)"]) expect(lines).toContain(p);
  });

  it("writes a multi-string TXT (DKIM) one quoted string per line inside parentheses", () => {
    const i = lines.findIndex((l) => l.startsWith("mail._domainkey 3600 IN TXT ("));
    expect(i).toBeGreaterThan(0);
    expect(lines[i + 1]).toMatch(/^\s+"v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+"$/);
    expect(lines[i + 2]).toMatch(/^\s+"[A-Za-z0-9+/=]+" \)$/);
  });

  it("renders only the records of the requested zone, plus extra records", () => {
    const two = mailConfig({ domains: [{ name: "example.com" }, { name: "example.net" }] });
    const all = buildRecordSet(two, inputsFor(two));
    const extra: DnsRecord = { zone: "lab", name: "ns1.example.net", type: "A", ttl: 60, values: ["192.0.2.53"], purpose: "glue (lab)" };
    const net = renderZoneFile("example.net", all, { nameservers: ["ns1.example.net"], hostmaster: "hostmaster@example.net", serial: 1, extra: [extra] });
    expect(net).not.toContain("postmaster@example.com"); // example.com's DMARC, TLS-RPT and CAA stay out
    expect(net.match(/ IN MX /g)).toHaveLength(1);
    expect(net).toContain("ns1 60 IN A 192.0.2.53");
  });

  it.skipIf(skipParsers)("an in-zone nameserver with its glue from `extra` passes named-checkzone", () => {
    const glue: DnsRecord = { zone: "example.com", name: "ns1.example.com", type: "A", ttl: 3600, values: ["192.0.2.53"], purpose: "glue" };
    const file = writeZone("glue.example.com", renderZoneFile("example.com", records, { nameservers: ["ns1.example.com"], hostmaster: "hostmaster@example.com", serial: SERIAL, extra: [glue] }));
    const r = namedCheck("example.com", file);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const noGlue = writeZone("noglue.example.com", renderZoneFile("example.com", records, { nameservers: ["ns1.example.com"], hostmaster: "hostmaster@example.com", serial: SERIAL }));
    expect(namedCheck("example.com", noGlue).status).not.toBe(0); // the check can fail
  });

  it("refuses out-of-zone data, no nameservers and a bad serial", () => {
    const stray: DnsRecord = { zone: "x", name: "www.example.org", type: "A", ttl: 60, values: [IPV4], purpose: "stray" };
    expect(() => renderZoneFile("example.com", records, { nameservers: NS, hostmaster: "h@example.com", serial: 1, extra: [stray] })).toThrow(/not inside zone example\.com/);
    expect(() => renderZoneFile("example.com", records, { nameservers: [], hostmaster: "h@example.com", serial: 1 })).toThrow(/nameserver/);
    expect(() => renderZoneFile("example.com", records, { nameservers: NS, hostmaster: "h@example.com", serial: 2 ** 32 })).toThrow(/serial/);
  });
});

describe("reverse zone (PTR of the server's IPv4 address)", () => {
  const cfg = mailConfig();

  it("names the /24 in-addr.arpa zone and points the address at the mail hostname", () => {
    expect(ptrRecords(cfg, { ipv4: "203.0.113.7" })).toEqual([
      { zone: "113.0.203.in-addr.arpa", name: "7.113.0.203.in-addr.arpa", type: "PTR", ttl: 3600, values: ["mail.example.com."], purpose: "PTR (reverse of the mail host)" },
    ]);
  });

  it("refuses something that is not an IPv4 address", () => {
    expect(() => ptrRecords(cfg, { ipv4: "203.0.113" })).toThrow(/not a dotted-quad/);
  });

  it.skipIf(skipParsers)("renders a zone file named-checkzone and nsd-checkzone accept", () => {
    const { zone, text } = renderReverseZone(cfg, { ipv4: "10.77.0.25" }, { nameservers: NS, hostmaster: "hostmaster@example.com", serial: SERIAL });
    expect(zone).toBe("0.77.10.in-addr.arpa");
    expect(text).toContain("25 3600 IN PTR mail.example.com.");
    const file = writeZone(zone, text);
    expect(namedCheck(zone, file).status).toBe(0);
    expect(spawnSync("nsd-checkzone", [zone, file]).status).toBe(0);
  });
});

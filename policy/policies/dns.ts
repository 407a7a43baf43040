// DNS (stack policies): the records that make mail from these domains deliverable and
// unspoofable, judged from the Route53 resources the stack creates.
import type { PolicyResource } from "@pulumi/policy";
import { asArray, field, stackPolicy, str } from "../define";
import type { PolicyFacts } from "../facts";
import { parseMainCf } from "../lib/postfix";
import { EIP_DOMAIN_NAME, normName, recordsOf, valuesAt, type PublishedRecord } from "../lib/records";
import { dkimKey, tagList, txtJoined, txtStrings } from "../lib/txt";
import { HOST_TYPES, instanceHostFiles } from "../lib/host-files";
import { filesMatching } from "../lib/user-data";
import { generationOfSelector } from "./dkim-rotation";

type Domain = PolicyFacts["domains"][number];

function perDomain(
  name: string, meta: { description: string; why: string },
  check: (d: Domain, records: PublishedRecord[], report: (m: string) => void, facts: PolicyFacts) => void,
) {
  return stackPolicy({
    name, area: "dns", ...meta,
    check: (resources, report, { facts }) => {
      const records = recordsOf(resources, facts);
      for (const d of facts.domains) check(d, records, (m) => report(`${d.name}: ${m}`), facts);
    },
  });
}

const txtAt = (records: PublishedRecord[], fqdn: string) => valuesAt(records, fqdn, "TXT").map(txtJoined);

export const mxPolicy = perDomain("dns-mx", {
  description: "Each sending domain has an MX pointing at the mail hostname; a parked domain has a null MX (RFC 7505).",
  why: "Without MX the domain cannot receive bounces and reports; a parked domain without null MX gets delivery attempts to its A record.",
}, (d, records, report, facts) => {
  const mx = valuesAt(records, d.name, "MX").map((v) => v.trim().split(/\s+/));
  if (!d.sendsMail) {
    if (mx.length !== 1 || mx[0]?.[0] !== "0" || mx[0]?.[1] !== ".") report(`parked domain should publish exactly one null MX "0 ." (has ${mx.length === 0 ? "none" : mx.map((m) => m.join(" ")).join(", ")})`);
    return;
  }
  if (mx.length === 0) { report(`has no MX record; publish "10 ${facts.hostname}."`); return; }
  const targets = mx.map((m) => normName(m[1] ?? ""));
  if (!targets.includes(facts.hostname)) report(`MX points at ${targets.join(", ")}, not the mail host ${facts.hostname}`);
});

export const spfPolicy = perDomain("dns-spf", {
  description: "Each domain has exactly one SPF record ending in -all (~all only when relaxed); a parked domain has `v=spf1 -all`.",
  why: "Without a hard fail anyone can send as the domain and receivers treat it as neutral; two SPF records are a permanent error (RFC 7208).",
}, (d, records, report) => {
  const spf = txtAt(records, d.name).filter((t) => /^v=spf1(\s|$)/i.test(t));
  if (spf.length !== 1) { report(`has ${spf.length} SPF records; publish exactly one "v=spf1 ... -all"`); return; }
  const rec = (spf[0] ?? "").trim();
  if (!/\s-all$/i.test(rec)) report(`SPF ${JSON.stringify(rec)} does not end in -all; end it with -all (or relax dns-spf with a reason to allow ~all)`);
  if (!d.sendsMail && !/^v=spf1\s+-all$/i.test(rec)) report(`parked domain SPF is ${JSON.stringify(rec)}; publish "v=spf1 -all"`);
});

export const dkimPolicy = perDomain("dns-dkim", {
  description: "Each sending domain publishes a DKIM key at its configured selector (or a rotation's `<selector>-gN`); every DKIM key is RSA >= 2048 bits (or ed25519).",
  why: "Unsigned mail fails DMARC; RSA keys under 2048 bits are factorable by a motivated attacker and rejected by some receivers.",
}, (d, records, report) => {
  const keys = records.filter((r) => r.type === "TXT" && r.fqdn.endsWith(`._domainkey.${d.name}`));
  // Its own selectors: dkimSelector (key generation 0) or dkimSelector-gN (generation N of a
  // rotation). Which one signs, and its timing, is dns-dkim-rotation's to judge.
  const own = (fqdn: string) => fqdn === `${d.dkimSelector}._domainkey.${d.name}` || (fqdn.startsWith(`${d.dkimSelector}-g`) && generationOfSelector(d.dkimSelector, fqdn.slice(0, -`._domainkey.${d.name}`.length)) !== undefined);
  // No values: not known yet (a key made in the same deploy), so not "revoked".
  const hasKey = (r: PublishedRecord) => r.values.length === 0 || r.values.some((v) => !/(^|;)\s*p=\s*(;|$)/.test(txtJoined(v)));
  if (d.sendsMail && !keys.some((r) => own(r.fqdn) && hasKey(r))) report(`has no DKIM record at ${d.dkimSelector}._domainkey.${d.name} (nor at ${d.dkimSelector}-g<N>._domainkey.${d.name} of a rotation) with a key`);
  for (const r of keys) {
    for (const v of r.values) {
      const text = txtJoined(v);
      // An empty p= is a revocation ("no key here"): what parked domains publish on purpose, and a
      // rotation for the old key after its grace period (dns-dkim-rotation refuses it for the key that signs).
      if (/(^|;)\s*p=\s*(;|$)/.test(text)) {
        continue;
      }
      try {
        const k = dkimKey(text);
        if (k.keyType === "rsa" && k.bits < 2048) report(`DKIM key at ${r.fqdn} is RSA ${k.bits} bits; use at least 2048`);
      } catch (e) {
        report(`DKIM record at ${r.fqdn} ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
});

export const dmarcPolicy = perDomain("dns-dmarc", {
  description: "Each domain has one DMARC record with p=quarantine or p=reject (p=reject in production and for parked domains), sp= not none.",
  why: "DMARC is what makes receivers act on SPF/DKIM failures; p=none publishes a policy that stops no spoofing.",
}, (d, records, report, facts) => {
  const dmarc = txtAt(records, `_dmarc.${d.name}`).filter((t) => /^v=DMARC1/i.test(t));
  if (dmarc.length !== 1) { report(`has ${dmarc.length} DMARC records at _dmarc.${d.name}; publish exactly one`); return; }
  const tags = tagList(dmarc[0] ?? "");
  const p = (tags.get("p") ?? "").toLowerCase();
  const mustReject = facts.environment === "prod" || !d.sendsMail;
  if (mustReject && p !== "reject") report(`DMARC p=${p || "(missing)"}; ${!d.sendsMail ? "a parked domain" : "production"} requires p=reject`);
  else if (!["quarantine", "reject"].includes(p)) report(`DMARC p=${p || "(missing)"}; use p=quarantine or p=reject`);
  if ((tags.get("sp") ?? "").toLowerCase() === "none") report("DMARC sp=none leaves every subdomain spoofable; drop sp= or set it to quarantine/reject");
});

export const mtaStsPolicy = perDomain("dns-mta-sts-tlsrpt", {
  description: "Each sending domain publishes MTA-STS (_mta-sts TXT v=STSv1 with an id, and the mta-sts host) and TLS-RPT (_smtp._tls TXT v=TLSRPTv1 with rua).",
  why: "Without MTA-STS a network attacker can strip STARTTLS and read inbound mail; TLS-RPT tells you when that happens.",
}, (d, records, report) => {
  if (!d.sendsMail) return;
  const sts = txtAt(records, `_mta-sts.${d.name}`).filter((t) => /^v=STSv1/i.test(t));
  if (sts.length !== 1 || !tagList(sts[0] ?? "").get("id")) report(`needs exactly one "v=STSv1; id=..." TXT at _mta-sts.${d.name} (has ${sts.length})`);
  const host = `mta-sts.${d.name}`;
  if (!records.some((r) => r.fqdn === host && ["A", "AAAA", "CNAME"].includes(r.type))) report(`has no A/AAAA/CNAME for ${host}, so the MTA-STS policy cannot be fetched`);
  const rpt = txtAt(records, `_smtp._tls.${d.name}`).filter((t) => /^v=TLSRPTv1/i.test(t));
  if (rpt.length !== 1 || !/^(mailto:|https:)/.test(tagList(rpt[0] ?? "").get("rua") ?? "")) report(`needs exactly one "v=TLSRPTv1; rua=mailto:..." TXT at _smtp._tls.${d.name} (has ${rpt.length})`);
});

export const caaPolicy = perDomain("dns-caa", {
  description: "Each sending domain publishes CAA with at least one issue (or issuewild) property.",
  why: "CAA limits which CAs may issue certificates for the domain, so a mis-issued certificate for the mail host is much harder to get.",
}, (d, records, report) => {
  if (!d.sendsMail) return;
  const caa = valuesAt(records, d.name, "CAA");
  if (!caa.some((v) => /^\d+\s+issue(wild)?\s/i.test(v.trim()))) report(`has no CAA "issue" record; publish e.g. 0 issue "letsencrypt.org"`);
});

export const txtLengthPolicy = stackPolicy({
  name: "dns-txt-length",
  area: "dns",
  description: "Every TXT character-string is at most 255 characters (long values are split into several strings).",
  why: "A longer string is invalid DNS: Route53 rejects it or resolvers truncate it, silently breaking DKIM.",
  check: (resources, report, { facts }) => {
    for (const r of recordsOf(resources, facts)) {
      if (r.type !== "TXT") continue;
      for (const v of r.values) {
        const long = txtStrings(v).filter((s) => s.length > 255);
        if (long.length > 0) report(`TXT ${r.fqdn} has a ${long[0]?.length}-character string; split it into strings of at most 255 ("part1" "part2")`, r.urn);
      }
    }
  },
});

function certNames(resources: readonly PolicyResource[]): { urn: string; names: string[] }[] {
  return resources
    .filter((r) => r.type === "tls:index/selfSignedCert:SelfSignedCert" || r.type === "tls:index/certRequest:CertRequest")
    .filter((r) => r.props.isCaCertificate !== true) // the stack CA (self-signed mode) names no host
    .filter((r) => str(field(r.props.subject, "commonName")) !== undefined || asArray(r.props.dnsNames).length > 0)
    .map((r) => ({ urn: r.urn, names: [str(field(r.props.subject, "commonName")), ...asArray(r.props.dnsNames).map(String)].filter((s): s is string => !!s).map(normName) }));
}

export const ptrPolicy = stackPolicy({
  name: "dns-ptr-hostname",
  area: "dns",
  description: "The reverse DNS (EipDomainName) is the mail hostname, which has an A record, is Postfix's myhostname (HELO), and is on the TLS certificate.",
  why: "Receivers reject or spam-score mail whose PTR, HELO and forward DNS disagree (FCrDNS), and clients reject a certificate for another name.",
  check: (resources, report, { facts }) => {
    const host = facts.hostname;
    const ptrs = resources.filter((r) => r.type === EIP_DOMAIN_NAME);
    if (ptrs.length === 0) report(`no aws.ec2.EipDomainName: the public IP's PTR is AWS's default name, not ${host}`);
    for (const p of ptrs) {
      const name = normName(str(p.props.domainName) ?? "");
      if (name !== host) report(`EipDomainName sets PTR ${name || "(empty)"}, not the mail hostname ${host}`, p.urn);
    }
    const records = recordsOf(resources, facts);
    if (valuesAt(records, host, "A").length === 0) report(`no A record for ${host}, so PTR ${host} has no matching forward name`);
    for (const c of certNames(resources)) {
      if (!c.names.includes(host)) report(`TLS certificate names ${c.names.join(", ")} do not include ${host}`, c.urn);
    }
    for (const r of resources.filter((x) => HOST_TYPES.includes(x.type))) {
      const files = instanceHostFiles(r.props, resources, facts.stack) ?? [];
      for (const f of filesMatching(files, /^\/etc\/postfix\/main\.cf$/)) {
        const my = parseMainCf(f.content).get("myhostname");
        if (my !== undefined && normName(my) !== host) report(`Postfix myhostname (HELO) is ${my}, not ${host}`, r.urn);
      }
    }
  },
});

export const daneTlsaPolicy = stackPolicy({
  name: "dns-dnssec-dane",
  area: "dns",
  description: "With features.dnssec: every zone the stack creates is signed (HostedZoneDnsSec, not NOT_SIGNING) and the mail host publishes DANE TLSA `3 1 1 <sha256>` at _25._tcp.<hostname>.",
  why: "DNSSEC + DANE lets sending servers authenticate our certificate without trusting any CA and without a downgradeable STARTTLS (RFC 7672).",
  check: (resources, report, { facts }) => {
    if (!facts.features.dnssec) return;
    const zones = resources.filter((r) => r.type === "aws:route53/zone:Zone");
    const signed = resources.filter((r) => r.type === "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec" && r.props.signingStatus !== "NOT_SIGNING");
    if (signed.length < zones.length) report(`${zones.length} hosted zones but ${signed.length} signed with HostedZoneDnsSec; sign every zone (features.dnssec)`);
    const tlsaName = `_25._tcp.${facts.hostname}`;
    const tlsa = valuesAt(recordsOf(resources, facts), tlsaName, "TLSA");
    if (tlsa.length === 0) report(`no TLSA record at ${tlsaName}; publish "3 1 1 <sha256 of the server's public key>"`);
    for (const v of tlsa) if (!/^3 1 1 [0-9a-f]{64}$/i.test(v.trim())) report(`TLSA ${tlsaName} is ${JSON.stringify(v)}; use DANE-EE SPKI SHA-256 ("3 1 1 <64 hex>"), which survives certificate renewal with --reuse-key`);
  },
});

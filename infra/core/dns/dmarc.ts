// DMARC (RFC 7489): the policy for mail that fails SPF and DKIM alignment, and where reports go.
import { type DomainConfig, type MailConfig, domainOf, isWithin } from "../../config";
import { txt } from "./record";
import type { DnsRecord } from "./types";
import { zoneDomainOf } from "./zones";

const mailto = (addrs: readonly string[]) => addrs.map((a) => `mailto:${a}`).join(",");

/** v and p first (RFC 7489 6.4 requires that order); pct only when not the default 100;
 * fo=1 asks for a failure report when any mechanism fails, which is what ruf is for. */
function dmarcText(d: DomainConfig): string {
  const m = d.dmarc;
  const tags = [`v=DMARC1`, `p=${m.policy}`, `sp=${m.subdomainPolicy}`];
  if (m.pct !== 100) tags.push(`pct=${m.pct}`);
  tags.push(`adkim=${m.adkim}`, `aspf=${m.aspf}`);
  if (m.rua.length > 0) tags.push(`rua=${mailto(m.rua)}`);
  if (m.ruf.length > 0) tags.push(`ruf=${mailto(m.ruf)}`, "fo=1");
  return tags.join("; ");
}

export function dmarcRecords(d: DomainConfig): DnsRecord[] {
  return [txt(d.name, `_dmarc.${d.name}`, dmarcText(d), "DMARC")];
}

/** A domain that sends nothing: reject everything, strict alignment, no reports to ask for. */
export function parkedDmarcRecords(d: DomainConfig): DnsRecord[] {
  return [txt(d.name, `_dmarc.${d.name}`, "v=DMARC1; p=reject; sp=reject; adkim=s; aspf=s", "DMARC (sends nothing)")];
}

/** RFC 7489 7.1: a receiver sends reports for example.com to an address at example.net only if
 * example.net publishes "example.com._report._dmarc.example.net" TXT "v=DMARC1". We can publish
 * it when the report domain lies in another zone of this stack that takes mail; for an outside
 * domain its owner must (see docs/dns-records.md). A report domain inside the DMARC domain, or the other
 * way round, shares its organizational domain and needs no authorization. */
export function reportAuthorizationRecords(cfg: Pick<MailConfig, "domains">, d: DomainConfig): DnsRecord[] {
  const targets = new Set([...d.dmarc.rua, ...d.dmarc.ruf].map(domainOf));
  const out: DnsRecord[] = [];
  for (const target of [...targets].sort()) {
    if (isWithin(target, d.name) || isWithin(d.name, target)) continue;
    const zone = zoneDomainOf(cfg, target);
    if (zone === undefined || !zone.sendsMail) continue;
    out.push(txt(zone.name, `${d.name}._report._dmarc.${target}`, "v=DMARC1", "DMARC report authorization"));
  }
  return out;
}

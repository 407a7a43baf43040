// DMARC aggregate reports -> per domain, per sending address: how many messages, how many pass
// DMARC (an aligned DKIM or SPF pass, as the receiver evaluated it), what the receiver did.
import type { DmarcFeedback } from "./dmarc-schema";
import type { OwnSources } from "./own-sources";
import { addOnce } from "./add-once";

export interface DmarcSource {
  readonly ip: string;
  readonly own: boolean;
  messages: number;
  pass: number;
  fail: number;
  dkimAligned: number;
  spfAligned: number;
  readonly disposition: { none: number; quarantine: number; reject: number };
  readonly headerFrom: string[];
  readonly reporters: string[];
}

export interface DmarcDomain {
  readonly domain: string;
  reports: number;
  readonly reporters: string[];
  begin: number;
  end: number;
  messages: number;
  pass: number;
  fail: number;
  readonly policy: string[];
  readonly sources: DmarcSource[];
}

function newDomain(domain: string): DmarcDomain {
  return { domain, reports: 0, reporters: [], begin: Infinity, end: 0, messages: 0, pass: 0, fail: 0, policy: [], sources: [] };
}

export function summariseDmarc(reports: readonly DmarcFeedback[], own: OwnSources): Map<string, DmarcDomain> {
  const domains = new Map<string, DmarcDomain>();
  // By domain and address: a report may hold 100,000 records from as many addresses.
  const byIp = new Map<string, DmarcSource>();
  for (const r of reports) {
    const name = r.policy_published.domain;
    const d = domains.get(name) ?? newDomain(name);
    domains.set(name, d);
    d.reports++;
    addOnce(d.reporters, r.report_metadata.org_name);
    addOnce(d.policy, `p=${r.policy_published.p}${r.policy_published.pct !== undefined && r.policy_published.pct !== 100 ? ` pct=${r.policy_published.pct}` : ""}`);
    d.begin = Math.min(d.begin, r.report_metadata.date_range.begin);
    d.end = Math.max(d.end, r.report_metadata.date_range.end);
    for (const { row, identifiers } of r.record) {
      const key = `${name}\0${row.source_ip}`;
      let s = byIp.get(key);
      if (s === undefined) {
        s = { ip: row.source_ip, own: own.has(row.source_ip), messages: 0, pass: 0, fail: 0, dkimAligned: 0, spfAligned: 0, disposition: { none: 0, quarantine: 0, reject: 0 }, headerFrom: [], reporters: [] };
        byIp.set(key, s);
        d.sources.push(s);
      }
      const evaluated = row.policy_evaluated;
      const passed = evaluated.dkim === "pass" || evaluated.spf === "pass";
      s.messages += row.count;
      if (passed) s.pass += row.count;
      else s.fail += row.count;
      if (evaluated.dkim === "pass") s.dkimAligned += row.count;
      if (evaluated.spf === "pass") s.spfAligned += row.count;
      // "pass" is a later draft's disposition for a passing message: the receiver delivered it.
      s.disposition[evaluated.disposition === "pass" ? "none" : evaluated.disposition] += row.count;
      if (s.headerFrom.length < 20) addOnce(s.headerFrom, identifiers.header_from.toLowerCase());
      addOnce(s.reporters, r.report_metadata.org_name);
      d.messages += row.count;
      if (passed) d.pass += row.count;
      else d.fail += row.count;
    }
  }
  for (const d of domains.values()) d.sources.sort((a, b) => b.messages - a.messages || a.ip.localeCompare(b.ip));
  return domains;
}

// Which records a stack publishes depends on its config alone; their values come later, from
// resources (addresses, keys, SES tokens). The plan lets the AWS layer declare one Route53
// resource per record before any value is known, and placeRecords then hands each planned record
// its real counterpart. A record whose name holds an SES token is planned under a stand-in name
// (which also names its Pulumi resource) and placed by domain and token number.
import { type MailConfig, mailDomains } from "../../config";
import { assembleRecords } from "./record-set";
import type { DnsRecord } from "./types";
import { SES_TOKENS_PER_DOMAIN, pendingSesToken, pendingValues } from "./values";

export interface PlannedRecord extends Omit<DnsRecord, "values"> {
  /** An SES DKIM CNAME: its real name holds token n of this domain. */
  readonly sesToken?: { readonly domain: string; readonly n: number };
}

export function recordPlan(cfg: MailConfig): PlannedRecord[] {
  const standIns = new Map<string, { domain: string; n: number }>();
  mailDomains(cfg).forEach((d, i) => {
    for (let n = 0; n < SES_TOKENS_PER_DOMAIN; n++) standIns.set(pendingSesToken(i, n), { domain: d.name, n });
  });
  return assembleRecords(cfg, pendingValues(cfg)).map(({ values: _values, ...r }) => {
    const sesToken = r.type === "CNAME" ? standIns.get(r.name.split(".")[0] ?? "") : undefined;
    return sesToken === undefined ? r : { ...r, sesToken };
  });
}

/** For each planned record, the real one with its zone, type and name; fails loudly when the sets differ. */
export function placeRecords(plan: readonly PlannedRecord[], real: readonly DnsRecord[], sesTokens: Readonly<Record<string, readonly string[]>>): DnsRecord[] {
  const byKey = new Map(real.map((r) => [`${r.zone}|${r.name}|${r.type}`, r]));
  const placed = plan.map((p) => {
    const name = p.sesToken === undefined ? p.name : sesName(p.sesToken, sesTokens);
    const r = byKey.get(`${p.zone}|${name}|${p.type}`);
    if (r === undefined) throw new Error(`internal: planned DNS record ${p.type} ${name} (${p.purpose}) is missing from the real record set`);
    return r;
  });
  if (placed.length !== real.length) throw new Error(`internal: the real DNS record set has ${real.length} records, the plan ${placed.length}`);
  return placed;
}

function sesName(t: { domain: string; n: number }, sesTokens: Readonly<Record<string, readonly string[]>>): string {
  const token = sesTokens[t.domain]?.[t.n];
  if (token === undefined) throw new Error(`internal: SES returned fewer than ${SES_TOKENS_PER_DOMAIN} DKIM tokens for ${t.domain}`);
  return `${token.toLowerCase()}._domainkey.${t.domain}`;
}

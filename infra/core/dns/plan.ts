// Which records a stack publishes depends on its config alone; their values come later, from
// resources (addresses, keys, SES tokens). The plan lets the AWS layer declare one Route53
// resource per record before any value is known, names the parts each record is built from (so
// the resource depends on those inputs only), and plannedRecord then builds that one record from
// them; placeRecords hands each planned record its counterpart in the whole real set. A record
// whose name holds an SES token is planned under a stand-in name (which also names its Pulumi
// resource) and placed by domain and token number.
import { type MailConfig, mailDomains } from "../../config";
import { type RecordSource, partsOf, recordParts, sourceKey } from "./parts";
import { assembleParts, recordKey } from "./record-set";
import type { DnsRecord } from "./types";
import { type RecordValues, SES_TOKENS_PER_DOMAIN, pendingSesToken, pendingValues } from "./values";

/** A part of the record set: the mail host's own (scope undefined) or a configured domain's. */
export interface PartRef {
  readonly scope: string | undefined;
  readonly source: RecordSource;
}

export interface PlannedRecord extends Omit<DnsRecord, "values"> {
  /** An SES DKIM CNAME: its real name holds token n of this domain. */
  readonly sesToken?: { readonly domain: string; readonly n: number };
  /** The parts its values come from (one, unless records of several parts share its name and type). */
  readonly from: readonly PartRef[];
}

export function recordPlan(cfg: MailConfig): PlannedRecord[] {
  const standIns = new Map<string, { domain: string; n: number }>();
  mailDomains(cfg).forEach((d, i) => {
    for (let n = 0; n < SES_TOKENS_PER_DOMAIN; n++) standIns.set(pendingSesToken(i, n), { domain: d.name, n });
  });
  const { records, from } = assembleParts(recordParts(cfg), pendingValues(cfg));
  return records.map(({ values: _values, ...r }) => {
    const parts = (from.get(recordKey(r)) ?? []).map((p) => ({ scope: p.scope, source: p.source }));
    const sesToken = r.type === "CNAME" ? standIns.get(r.name.split(".")[0] ?? "") : undefined;
    return sesToken === undefined ? { ...r, from: parts } : { ...r, sesToken, from: parts };
  });
}

/** The sources a planned record's values come from, each once: what its resource depends on. */
export function plannedSources(planned: PlannedRecord): RecordSource[] {
  const byKey = new Map(planned.from.map((f) => [sourceKey(f.source), f.source]));
  return [...byKey.values()];
}

/** One planned record with its real values, built from its own parts only: `values` needs to
 * hold just the inputs those parts name (someInputValues). */
export function plannedRecord(cfg: MailConfig, planned: PlannedRecord, values: RecordValues): DnsRecord {
  const scopes = [...new Set(planned.from.map((f) => f.scope))];
  const parts = scopes.flatMap((scope) => partsOf(cfg, scope).filter((p) => planned.from.some((f) => f.scope === scope && sourceKey(f.source) === sourceKey(p.source))));
  const { records } = assembleParts(parts, values);
  const name = planned.sesToken === undefined ? planned.name : sesName(planned.sesToken, sesTokensOf(cfg, planned.sesToken.domain, values));
  const r = records.find((x) => x.zone === planned.zone && x.name === name && x.type === planned.type);
  if (r === undefined) throw new Error(`internal: planned DNS record ${planned.type} ${name} (${planned.purpose}) is not built by its parts (${planned.from.map((f) => `${f.scope ?? "mail host"}: ${sourceKey(f.source)}`).join(", ")})`);
  return r;
}

/** For each planned record, the real one with its zone, type and name; fails loudly when the sets differ. */
export function placeRecords(plan: readonly PlannedRecord[], real: readonly DnsRecord[], sesTokens: Readonly<Record<string, readonly string[]>>): DnsRecord[] {
  const byKey = new Map(real.map((r) => [recordKey(r), r]));
  const placed = plan.map((p) => {
    const name = p.sesToken === undefined ? p.name : sesName(p.sesToken, sesTokens[p.sesToken.domain]);
    const r = byKey.get(`${p.zone}|${name}|${p.type}`);
    if (r === undefined) throw new Error(`internal: planned DNS record ${p.type} ${name} (${p.purpose}) is missing from the real record set`);
    return r;
  });
  if (placed.length !== real.length) throw new Error(`internal: the real DNS record set has ${real.length} records, the plan ${placed.length}`);
  return placed;
}

function sesTokensOf(cfg: MailConfig, domain: string, values: RecordValues): readonly string[] | undefined {
  const d = cfg.domains.find((x) => x.name === domain);
  return d === undefined ? undefined : values.sesTokens(d);
}

function sesName(t: { domain: string; n: number }, tokens: readonly string[] | undefined): string {
  const token = tokens?.[t.n];
  if (token === undefined) throw new Error(`internal: SES returned fewer than ${SES_TOKENS_PER_DOMAIN} DKIM tokens for ${t.domain}`);
  return `${token.toLowerCase()}._domainkey.${t.domain}`;
}

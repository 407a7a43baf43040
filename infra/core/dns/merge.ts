// Route53 holds one record set per (zone, name, type); several values go into that one set.
// merge() folds records with the same key together and sorts everything deterministically,
// so the same config always yields byte-identical data (stable Pulumi diffs, stable zone files).
import type { DnsRecord, RecordType } from "./types";

/** Order within one name, as a reader expects it: address, mail routing, text, the rest. */
const TYPE_ORDER: readonly RecordType[] = ["NS", "A", "AAAA", "MX", "TXT", "CAA", "CNAME", "SRV", "TLSA", "PTR"];

export function merge(records: readonly DnsRecord[]): DnsRecord[] {
  const byKey = new Map<string, DnsRecord>();
  for (const r of records) {
    const key = `${r.zone}|${r.name}|${r.type}`;
    const prev = byKey.get(key);
    if (prev === undefined) {
      byKey.set(key, { ...r, values: [...new Set(r.values)] });
      continue;
    }
    if (r.type === "CNAME") throw new Error(`two CNAMEs for ${r.name} (${prev.values[0]} and ${r.values[0]})`);
    byKey.set(key, {
      ...prev,
      ttl: Math.min(prev.ttl, r.ttl), // one TTL per set: the stricter need wins
      values: [...new Set([...prev.values, ...r.values])],
      purpose: prev.purpose.split(" + ").includes(r.purpose) ? prev.purpose : `${prev.purpose} + ${r.purpose}`,
    });
  }
  const merged = [...byKey.values()].map((r) => ({ ...r, values: [...r.values].sort() }));
  for (const r of merged) {
    if (r.type === "CNAME" && merged.some((o) => o.name === r.name && o.type !== "CNAME")) {
      throw new Error(`${r.name} has a CNAME and other records (RFC 1034 3.6.2 forbids that)`);
    }
  }
  return merged.sort(compareRecords);
}

function compareRecords(a: DnsRecord, b: DnsRecord): number {
  return compareText(a.zone, b.zone) || compareNames(a.name, b.name) || TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type);
}

/** DNS canonical order (RFC 4034 6.1, by labels from the right): a name sorts right after its parent. */
function compareNames(a: string, b: string): number {
  const la = a.split(".").reverse();
  const lb = b.split(".").reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const c = compareText(la[i]!, lb[i]!);
    if (c !== 0) return c;
  }
  return la.length - lb.length;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

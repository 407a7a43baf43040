// The full record set of a mailfort stack, as data: MailConfig + what the resources produced
// (addresses, public keys, SES tokens) -> every record of every configured domain's zone. The
// same assembly, fed pending values, is the plan of which records exist (plan.ts); fed only some
// parts, it is the one record a Route53 resource publishes (plannedRecord).
import type { MailConfig } from "../../config";
import { merge } from "./merge";
import { type RecordPart, recordParts, valuesFor } from "./parts";
import type { DnsInputs, DnsRecord } from "./types";
import { type RecordValues, inputValues } from "./values";

export function buildRecordSet(cfg: MailConfig, input: DnsInputs): DnsRecord[] {
  return assembleRecords(cfg, inputValues(cfg, input));
}

export function assembleRecords(cfg: MailConfig, values: RecordValues): DnsRecord[] {
  return assembleParts(recordParts(cfg), values).records;
}

/** The key Route53 holds one record set under. */
export const recordKey = (r: Pick<DnsRecord, "zone" | "name" | "type">): string => `${r.zone}|${r.name}|${r.type}`;

/** The merged records of `parts`, and for each record's key the parts that contributed to it. */
export function assembleParts(parts: readonly RecordPart[], values: RecordValues): { records: DnsRecord[]; from: Map<string, RecordPart[]> } {
  const from = new Map<string, RecordPart[]>();
  const all = parts.flatMap((p) => {
    const records = p.records(valuesFor(values, p));
    for (const r of records) {
      const seen = from.get(recordKey(r)) ?? [];
      if (!seen.includes(p)) from.set(recordKey(r), [...seen, p]);
    }
    return records;
  });
  return { records: merge(all), from };
}

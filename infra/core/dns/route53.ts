// DnsRecord.values are RDATA in presentation format (TXT: `"s1" "s2"`), exactly what the Route53
// API and zone files take. The Terraform-based AWS provider behind @pulumi/aws, however, wraps
// every TXT value in one pair of quotes itself (flattenTxtEntry: `"%s"`) and strips them on
// read; its documented way to write several strings is `s1" "s2` (or `s1""s2`). So for
// aws.route53.Record.records, drop our outer quotes: the provider puts them back, and the API
// receives our strings unchanged. Every other type passes through as is.
import type { DnsRecord } from "./types";

export function route53ProviderValues(record: Pick<DnsRecord, "type" | "values">): string[] {
  if (record.type !== "TXT") return [...record.values];
  return record.values.map((v) => {
    if (!(v.length >= 2 && v.startsWith(`"`) && v.endsWith(`"`))) throw new Error(`TXT value is not in quoted presentation format: ${v}`);
    return v.slice(1, -1);
  });
}

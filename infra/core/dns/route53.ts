// DnsRecord.values are RDATA in presentation format (TXT: `"s1" "s2"`), exactly what the Route53
// API and zone files take. The Terraform-based AWS provider behind @pulumi/aws, however, wraps
// every TXT value in one pair of quotes itself (flattenTxtEntry: `"%s"`) and strips them on
// read; its documented way to write several strings is `s1""s2`. So for
// aws.route53.Record.records, TXT values go in that form: the provider adds the outer quotes and
// Route53 receives `"s1""s2"`, the same strings as ours. Every other type passes through as is.
import { txtStrings } from "./txt";
import type { DnsRecord } from "./types";

export function route53ProviderValues(record: Pick<DnsRecord, "type" | "values">): string[] {
  if (record.type !== "TXT") return [...record.values];
  return record.values.map((v) => {
    if (!(v.length >= 2 && v.startsWith(`"`) && v.endsWith(`"`))) throw new Error(`TXT value is not in quoted presentation format: ${v}`);
    return txtStrings(v).map((s) => s.replace(/[\\"]/g, (c) => `\\${c}`)).join(`""`);
  });
}

// CAA (RFC 8659): only Let's Encrypt may issue certificates for the domain and its names, no CA
// may issue wildcards, and a CA that refuses a request reports to postmaster. Published with
// tls.mode self-signed too: harmless, and the same records in every environment. Note: CAA at
// the apex covers every name below it; a zone that also serves a website certified by another
// CA needs that CA added (see docs/dns-records.md).
import type { DomainConfig } from "../../config";
import { record } from "./record";
import type { DnsRecord } from "./types";

export function caaRecords(d: DomainConfig): DnsRecord[] {
  return [record(d.name, d.name, "CAA", [
    `0 issue "letsencrypt.org"`,
    `0 issuewild ";"`,
    `0 iodef "mailto:postmaster@${d.name}"`,
  ], "CAA")];
}

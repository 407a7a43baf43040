// SMTP TLS reporting (RFC 8460): senders report TLS failures (MTA-STS, DANE) to these addresses.
import type { DomainConfig } from "../../config";
import { txt } from "./record";
import type { DnsRecord } from "./types";

export function tlsRptRecords(d: DomainConfig): DnsRecord[] {
  const rua = d.tlsRptRua.map((a) => `mailto:${a}`).join(",");
  return [txt(d.name, `_smtp._tls.${d.name}`, `v=TLSRPTv1; rua=${rua}`, "TLS-RPT")];
}

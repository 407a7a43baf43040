// Service records for mail clients (RFC 6186, with RFC 8314 for submissions on 465). A
// service not offered gets target "." (RFC 2782), which tells clients "not here" instead of
// letting them guess a plaintext port. Priority 0, weight 1: our one server (RFC 6186 3.4).
import type { DomainConfig, MailConfig } from "../../config";
import { absolute, record } from "./record";
import type { DnsRecord } from "./types";

const NOT_OFFERED = "0 0 0 .";

export function srvRecords(cfg: Pick<MailConfig, "hostname" | "features">, d: DomainConfig): DnsRecord[] {
  const at = (port: number) => `0 1 ${port} ${absolute(cfg.hostname)}`;
  const srv = (service: string, value: string) => record(d.name, `_${service}._tcp.${d.name}`, "SRV", [value], "SRV");
  return [
    srv("submissions", at(465)), // implicit TLS, preferred by RFC 8314 3.3
    srv("submission", at(587)), // STARTTLS, for clients that only know 587
    srv("imaps", at(993)),
    srv("imap", NOT_OFFERED), // 143 is closed: no plaintext IMAP
    srv("pop3s", cfg.features.pop3 ? at(995) : NOT_OFFERED),
    srv("pop3", NOT_OFFERED), // 110 is never open
  ];
}

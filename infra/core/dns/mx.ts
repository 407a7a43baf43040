// MX: where mail for the domain goes.
import type { DomainConfig, MailConfig } from "../../config";
import { absolute, record } from "./record";
import type { DnsRecord } from "./types";

/** One MX host, preference 10 (room to add a backup MX at 20 later without renumbering). */
export function mxRecords(cfg: Pick<MailConfig, "hostname">, d: DomainConfig): DnsRecord[] {
  return [record(d.name, d.name, "MX", [`10 ${absolute(cfg.hostname)}`], "MX")];
}

/** Null MX (RFC 7505): "this domain accepts no mail", so senders fail fast instead of queueing. */
export function nullMxRecords(d: DomainConfig): DnsRecord[] {
  return [record(d.name, d.name, "MX", ["0 ."], "null MX")];
}

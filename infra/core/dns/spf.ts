// SPF (RFC 7208). Always "-all": the domain's mail leaves only from where we say, and the
// rest fails (DMARC then decides). "mx" rather than "ip4:" so the record survives an address change.
import type { DomainConfig, MailConfig } from "../../config";
import { txt } from "./record";
import type { DnsRecord } from "./types";

function spfText(cfg: Pick<MailConfig, "outbound">): string {
  // Relaying through SES: SES's senders must pass too (with a custom MAIL FROM they check our SPF).
  return cfg.outbound.mode === "ses" ? "v=spf1 mx include:amazonses.com -all" : "v=spf1 mx -all";
}

export function spfRecords(cfg: Pick<MailConfig, "outbound">, d: DomainConfig): DnsRecord[] {
  return [txt(d.name, d.name, spfText(cfg), "SPF")];
}

/** A domain that sends nothing: every message claiming it fails SPF. */
export function nullSpfRecords(d: DomainConfig): DnsRecord[] {
  return [txt(d.name, d.name, "v=spf1 -all", "SPF (sends nothing)")];
}

/** SPF for the HELO name (RFC 7208 2.3): bounces (empty MAIL FROM) are checked against it.
 * Skipped when the hostname is itself a configured domain: that apex already has its SPF,
 * and two SPF records at one name are a permerror (RFC 7208 4.5). */
export function heloSpfRecords(cfg: Pick<MailConfig, "hostname" | "domains">, zone: string): DnsRecord[] {
  if (cfg.domains.some((d) => d.name === cfg.hostname)) return [];
  return [txt(zone, cfg.hostname, "v=spf1 a -all", "SPF (HELO)")];
}

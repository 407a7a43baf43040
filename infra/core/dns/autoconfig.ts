// Mail client auto-configuration names, as the clients actually look them up:
// - Thunderbird (and K-9/Thunderbird for Android, Evolution, KMail): GET
//   https://autoconfig.<domain>/mail/config-v1.1.xml (then http), so autoconfig.<domain> -> us.
// - Outlook (classic, POX autodiscover for IMAP accounts): POST
//   https://<domain>/autodiscover/autodiscover.xml, then https://autodiscover.<domain>/..., and
//   last the SRV _autodiscover._tcp.<domain>. The apex may be someone's website, so we serve
//   autodiscover.<domain>, and the SRV as the fallback that needs no certificate for
//   autodiscover.<domain>: its target is the mail hostname, whose certificate we always have.
import type { DomainConfig, MailConfig } from "../../config";
import { addressRecords } from "./addresses";
import { absolute, record } from "./record";
import type { DnsRecord, ServerAddresses } from "./types";

/** autoconfig.<domain> and autodiscover.<domain>: the server's addresses. */
export function autoconfigHostRecords(cfg: Pick<MailConfig, "features">, d: DomainConfig, addresses: ServerAddresses): DnsRecord[] {
  return [
    ...addressRecords(cfg, addresses, d.name, `autoconfig.${d.name}`, "autoconfig"),
    ...addressRecords(cfg, addresses, d.name, `autodiscover.${d.name}`, "autodiscover"),
  ];
}

/** Outlook's last resort, from config alone: the SRV to the mail hostname. */
export function autodiscoverSrvRecords(cfg: Pick<MailConfig, "hostname">, d: DomainConfig): DnsRecord[] {
  return [record(d.name, `_autodiscover._tcp.${d.name}`, "SRV", [`0 0 443 ${absolute(cfg.hostname)}`], "autodiscover")];
}

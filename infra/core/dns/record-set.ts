// The full record set of a mailfort stack, as data: MailConfig + what the resources produced
// (addresses, public keys, SES tokens) -> every record of every configured domain's zone.
import { type DomainConfig, type MailConfig } from "../../config";
import { addressRecords } from "./addresses";
import { autoconfigRecords } from "./autoconfig";
import { caaRecords } from "./caa";
import { dkimRecords, revokedDkimRecords, sesDkimRecords } from "./dkim";
import { dmarcRecords, parkedDmarcRecords, reportAuthorizationRecords } from "./dmarc";
import { merge } from "./merge";
import { mtaStsRecords } from "./mta-sts";
import { mxRecords, nullMxRecords } from "./mx";
import { heloSpfRecords, nullSpfRecords, spfRecords } from "./spf";
import { srvRecords } from "./srv";
import { tlsaRecords } from "./tlsa";
import { tlsRptRecords } from "./tlsrpt";
import type { DnsInputs, DnsRecord } from "./types";
import { zoneOf } from "./zones";

export function buildRecordSet(cfg: MailConfig, input: DnsInputs): DnsRecord[] {
  // A key for a domain we do not publish DKIM for means the host would sign with it while DNS
  // says nothing (or, for a parked domain, "revoked"): a wiring bug, so stop here.
  for (const k of input.dkim) {
    if (!cfg.domains.some((d) => d.sendsMail && d.name === k.domain)) {
      throw new Error(`DnsInputs.dkim has a key for ${k.domain} (selector ${k.selector}), which is not a configured domain that sends mail`);
    }
  }
  const hostZone = zoneOf(cfg, cfg.hostname);
  return merge([
    ...addressRecords(cfg, input.addresses, hostZone, cfg.hostname, "mail host"),
    ...heloSpfRecords(cfg, hostZone),
    ...tlsaRecords(cfg, hostZone, input.tlsPublicKeyPem),
    ...cfg.domains.flatMap((d) => (d.sendsMail ? mailDomainRecords(cfg, d, input) : parkedDomainRecords(d))),
  ]);
}

/** A domain that sends and receives mail through this server. */
function mailDomainRecords(cfg: MailConfig, d: DomainConfig, input: DnsInputs): DnsRecord[] {
  return [
    ...mxRecords(cfg, d),
    ...spfRecords(cfg, d),
    ...dkimRecords(d, input.dkim),
    ...(cfg.outbound.mode === "ses" ? sesDkimRecords(d, input.sesDkimTokens?.[d.name]) : []),
    ...dmarcRecords(d),
    ...reportAuthorizationRecords(cfg, d),
    ...mtaStsRecords(cfg, d, input.addresses),
    ...tlsRptRecords(d),
    ...caaRecords(d),
    ...srvRecords(cfg, d),
    ...autoconfigRecords(cfg, d, input.addresses),
  ];
}

/** A parked domain (sendsMail false): say loudly that it neither sends nor receives mail, so
 * nobody can spoof it (RFC 7505 null MX, SPF -all, DMARC reject, every DKIM selector revoked). */
function parkedDomainRecords(d: DomainConfig): DnsRecord[] {
  return [...nullMxRecords(d), ...nullSpfRecords(d), ...parkedDmarcRecords(d), ...revokedDkimRecords(d)];
}

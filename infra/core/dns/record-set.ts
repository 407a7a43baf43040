// The full record set of a mailfort stack, as data: MailConfig + what the resources produced
// (addresses, public keys, SES tokens) -> every record of every configured domain's zone. The
// same assembly, fed pending values, is the plan of which records exist (plan.ts).
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
import { type RecordValues, inputValues } from "./values";
import { zoneOf } from "./zones";

export function buildRecordSet(cfg: MailConfig, input: DnsInputs): DnsRecord[] {
  return assembleRecords(cfg, inputValues(cfg, input));
}

export function assembleRecords(cfg: MailConfig, values: RecordValues): DnsRecord[] {
  const hostZone = zoneOf(cfg, cfg.hostname);
  return merge([
    ...addressRecords(cfg, values.addresses, hostZone, cfg.hostname, "mail host"),
    ...heloSpfRecords(cfg, hostZone),
    ...tlsaRecords(cfg, hostZone, values.tlsa),
    ...cfg.domains.flatMap((d) => (d.sendsMail ? mailDomainRecords(cfg, d, values) : parkedDomainRecords(d))),
  ]);
}

/** A domain that sends and receives mail through this server. */
function mailDomainRecords(cfg: MailConfig, d: DomainConfig, values: RecordValues): DnsRecord[] {
  return [
    ...mxRecords(cfg, d),
    ...spfRecords(cfg, d),
    ...dkimRecords(d, values.dkim(d)),
    ...(cfg.outbound.mode === "ses" ? sesDkimRecords(d, values.sesTokens(d)) : []),
    ...dmarcRecords(d),
    ...reportAuthorizationRecords(cfg, d),
    ...mtaStsRecords(cfg, d, values.addresses),
    ...tlsRptRecords(d),
    ...caaRecords(d),
    ...srvRecords(cfg, d),
    ...autoconfigRecords(cfg, d, values.addresses),
  ];
}

/** A parked domain (sendsMail false): say loudly that it neither sends nor receives mail, so
 * nobody can spoof it (RFC 7505 null MX, SPF -all, DMARC reject, every DKIM selector revoked). */
function parkedDomainRecords(d: DomainConfig): DnsRecord[] {
  return [...nullMxRecords(d), ...nullSpfRecords(d), ...parkedDmarcRecords(d), ...revokedDkimRecords(d)];
}

// The record set in parts, each part stating what it is built from besides the config: nothing
// (config alone), the server's addresses, the TLS key, one domain's DKIM keys, or one domain's
// SES identity. The AWS layer hands each Route53 record only the inputs of its parts, so a
// record depends on exactly the resources its values come from (a domain's DKIM record on that
// domain's key, an MX record on nothing): with one combined input, every record of a 200-domain
// stack depended on all 200 keys. Each part reads its values through a view that refuses any
// other input, so a part that reads more than it states fails at once, in every synth and test.
import type { DomainConfig, MailConfig } from "../../config";
import { addressRecords } from "./addresses";
import { autoconfigHostRecords, autodiscoverSrvRecords } from "./autoconfig";
import { caaRecords } from "./caa";
import { dkimRecords, revokedDkimRecords, sesDkimRecords } from "./dkim";
import { dmarcRecords, parkedDmarcRecords, reportAuthorizationRecords } from "./dmarc";
import { mtaStsHostRecords, mtaStsTxtRecords } from "./mta-sts";
import { mxRecords, nullMxRecords } from "./mx";
import { heloSpfRecords, nullSpfRecords, spfRecords } from "./spf";
import { srvRecords } from "./srv";
import { tlsaRecords } from "./tlsa";
import { tlsRptRecords } from "./tlsrpt";
import type { DnsRecord } from "./types";
import type { RecordValues } from "./values";
import { zoneOf } from "./zones";

/** What a part's values come from, besides the config. */
export type RecordSource =
  | { readonly kind: "config" }
  | { readonly kind: "addresses" }
  | { readonly kind: "tls" }
  | { readonly kind: "dkim"; readonly domain: string }
  | { readonly kind: "ses"; readonly domain: string };

export interface RecordPart {
  /** The configured domain the part belongs to, or undefined for the mail host's own records. */
  readonly scope: string | undefined;
  readonly source: RecordSource;
  /** The part's records, from the values its source names (the others refuse). */
  records(values: RecordValues): DnsRecord[];
}

/** Every part of the stack, in the order the record set is assembled. */
export function recordParts(cfg: MailConfig): RecordPart[] {
  return [...hostParts(cfg), ...cfg.domains.flatMap((d) => domainParts(cfg, d))];
}

/** The parts of one scope (a configured domain's name, or undefined for the mail host). */
export function partsOf(cfg: MailConfig, scope: string | undefined): RecordPart[] {
  if (scope === undefined) return hostParts(cfg);
  const d = cfg.domains.find((x) => x.name === scope);
  if (d === undefined) throw new Error(`internal: DNS record part of ${scope}, which is not a configured domain`);
  return domainParts(cfg, d);
}

export function sourceKey(s: RecordSource): string {
  return s.kind === "dkim" || s.kind === "ses" ? `${s.kind}:${s.domain}` : s.kind;
}

const CONFIG: RecordSource = { kind: "config" };
const ADDRESSES: RecordSource = { kind: "addresses" };

function hostParts(cfg: MailConfig): RecordPart[] {
  const zone = zoneOf(cfg, cfg.hostname);
  const part = (source: RecordSource, records: RecordPart["records"]): RecordPart => ({ scope: undefined, source, records });
  return [
    part(ADDRESSES, (v) => addressRecords(cfg, v.addresses, zone, cfg.hostname, "mail host")),
    part(CONFIG, () => heloSpfRecords(cfg, zone)),
    part({ kind: "tls" }, (v) => tlsaRecords(cfg, zone, v.tlsa)),
  ];
}

function domainParts(cfg: MailConfig, d: DomainConfig): RecordPart[] {
  const part = (source: RecordSource, records: RecordPart["records"]): RecordPart => ({ scope: d.name, source, records });
  // A parked domain (sendsMail false) says loudly that it neither sends nor receives mail, so
  // nobody can spoof it (RFC 7505 null MX, SPF -all, DMARC reject, every DKIM selector revoked).
  if (!d.sendsMail) return [part(CONFIG, () => [...nullMxRecords(d), ...nullSpfRecords(d), ...parkedDmarcRecords(d), ...revokedDkimRecords(d)])];
  // A domain that sends and receives mail through this server.
  return [
    part(CONFIG, () => [...mxRecords(cfg, d), ...spfRecords(cfg, d)]),
    part({ kind: "dkim", domain: d.name }, (v) => dkimRecords(d, v.dkim(d))),
    ...(cfg.outbound.mode === "ses" ? [part({ kind: "ses", domain: d.name }, (v) => sesDkimRecords(d, v.sesTokens(d)))] : []),
    part(CONFIG, () => [...dmarcRecords(d), ...reportAuthorizationRecords(cfg, d), ...mtaStsTxtRecords(cfg, d)]),
    part(ADDRESSES, (v) => mtaStsHostRecords(cfg, d, v.addresses)),
    part(CONFIG, () => [...tlsRptRecords(d), ...caaRecords(d), ...srvRecords(cfg, d)]),
    part(ADDRESSES, (v) => autoconfigHostRecords(cfg, d, v.addresses)),
    part(CONFIG, () => autodiscoverSrvRecords(cfg, d)),
  ];
}

/** The values a part of `source` may read; any other refuses, naming the part and the input. */
export function valuesFor(values: RecordValues, part: RecordPart): RecordValues {
  const s = part.source;
  const refuse = (input: string): never => {
    throw new Error(`internal: the DNS record part of ${part.scope ?? "the mail host"} built from ${sourceKey(s)} read ${input}; state it as the part's source`);
  };
  return {
    get addresses() {
      return s.kind === "addresses" ? values.addresses : refuse("the server's addresses");
    },
    dkim: (d) => (s.kind === "dkim" && s.domain === d.name ? values.dkim(d) : refuse(`the DKIM keys of ${d.name}`)),
    get tlsa() {
      return s.kind === "tls" ? values.tlsa : refuse("the TLS key");
    },
    sesTokens: (d) => (s.kind === "ses" && s.domain === d.name ? values.sesTokens(d) : refuse(`the SES tokens of ${d.name}`)),
  };
}

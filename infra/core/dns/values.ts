// The record values only resources know (the server's addresses, the DKIM and TLS public keys,
// SES's DKIM tokens), from one of two sources: the real inputs, or "pending" for the plan of
// which records exist. Record modules take the values ready to publish and never ask which.
import { type DomainConfig, type MailConfig, mailDomains } from "../../config";
import { dkimText } from "./dkim";
import { tlsaValue } from "./tlsa";
import type { DnsInputs, ServerAddresses } from "./types";

/** A DKIM record's text for one selector of a domain. */
export interface PublishedDkim {
  readonly selector: string;
  readonly text: string;
}

export interface RecordValues {
  readonly addresses: ServerAddresses;
  /** Every DKIM key published for a sending domain (rotation: old and new selectors overlap). */
  dkim(d: DomainConfig): readonly PublishedDkim[];
  /** TLSA 3 1 1 RDATA for the server key, or undefined for none. */
  readonly tlsa: string | undefined;
  /** SES easy-DKIM tokens of a sending domain (outbound.mode ses). */
  sesTokens(d: DomainConfig): readonly string[] | undefined;
}

/** The values from the real inputs, checked: a key for no sending domain, or none for the configured selector, is a wiring bug. */
export function inputValues(cfg: MailConfig, input: DnsInputs): RecordValues {
  // A key for a domain we do not publish DKIM for means the host would sign with it while DNS
  // says nothing (or, for a parked domain, "revoked"): a wiring bug, so stop here.
  for (const k of input.dkim) {
    if (!cfg.domains.some((d) => d.sendsMail && d.name === k.domain)) {
      throw new Error(`DnsInputs.dkim has a key for ${k.domain} (selector ${k.selector}), which is not a configured domain that sends mail`);
    }
  }
  return {
    addresses: input.addresses,
    dkim: (d) => {
      const mine = input.dkim.filter((k) => k.domain === d.name);
      if (!mine.some((k) => k.selector === d.dkimSelector)) {
        throw new Error(`no DKIM public key for ${d.name} selector ${d.dkimSelector} in DnsInputs.dkim (got: ${mine.map((k) => k.selector).join(", ") || "none"}); the host would sign with a key nobody can verify`);
      }
      return mine.map((k) => ({ selector: k.selector, text: dkimText(k) }));
    },
    tlsa: input.tlsPublicKeyPem === undefined ? undefined : tlsaValue(input.tlsPublicKeyPem),
    sesTokens: (d) => input.sesDkimTokens?.[d.name],
  };
}

/** Stands in for every value a resource will supply. */
export const PENDING = "(known once the resources exist)";

/** SES hands out three DKIM tokens per identity. */
export const SES_TOKENS_PER_DOMAIN = 3;

/** The stand-in for SES token n of sending domain i: it names a record (and its Pulumi resource) until SES answers. */
export function pendingSesToken(domainIndex: number, n: number): string {
  return `placeholdertoken${String(domainIndex).padStart(4, "0")}${String(n).padStart(4, "0")}`;
}

/** What the program will supply, from config alone: one DKIM key per sending domain at its
 * selector, a TLS key, IPv6 only with features.ipv6, SES tokens per sending domain. */
export function pendingValues(cfg: MailConfig): RecordValues {
  const sending = mailDomains(cfg).map((d) => d.name);
  return {
    // Documentation addresses (RFC 5737, RFC 3849): the plan keeps no values.
    addresses: { ipv4: "192.0.2.1", ...(cfg.features.ipv6 ? { ipv6: "2001:db8::1" } : {}) },
    dkim: (d) => [{ selector: d.dkimSelector, text: PENDING }],
    tlsa: PENDING,
    sesTokens: (d) => Array.from({ length: SES_TOKENS_PER_DOMAIN }, (_, n) => pendingSesToken(sending.indexOf(d.name), n)),
  };
}

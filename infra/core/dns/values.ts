// The record values only resources know (the server's addresses, the DKIM and TLS public keys,
// SES's DKIM tokens), from one of two sources: the real inputs, or "pending" for the plan of
// which records exist. Record modules take the values ready to publish and never ask which.
import { type DomainConfig, type MailConfig, domainDkim, mailDomains } from "../../config";
import { REVOKED_DKIM_TEXT, dkimText } from "./dkim";
import { tlsaValue } from "./tlsa";
import type { DnsInputs, ServerAddresses } from "./types";

/** A DKIM record's text for one selector of a domain. */
export interface PublishedDkim {
  readonly selector: string;
  readonly text: string;
}

export interface RecordValues {
  readonly addresses: ServerAddresses;
  /** Every DKIM record of a sending domain: the published keys (rotation: old and new overlap)
   * and the revoked ones (an empty p=) of the stack's DKIM layout. */
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
  return someInputValues(cfg, input);
}

/** The values from some of the real inputs: those one record is built from (plannedRecord). A
 * missing one is refused when read (a part reads only its own source: parts.ts). */
export function someInputValues(cfg: MailConfig, input: Partial<DnsInputs>): RecordValues {
  return {
    get addresses() {
      if (input.addresses === undefined) throw new Error("internal: a DNS record read the server's addresses, which its inputs do not hold");
      return input.addresses;
    },
    dkim: (d) => {
      const mine = (input.dkim ?? []).filter((k) => k.domain === d.name);
      const { signing, published, revoked } = domainDkim(d, cfg.dkimLayout);
      if (!mine.some((k) => k.selector === signing)) {
        throw new Error(`no DKIM public key for ${d.name} selector ${signing} in DnsInputs.dkim (got: ${mine.map((k) => k.selector).join(", ") || "none"}); the host would sign with a key nobody can verify`);
      }
      const stray = mine.filter((k) => !published.includes(k.selector));
      if (stray.length > 0) throw new Error(`DnsInputs.dkim has keys for ${d.name} selectors ${stray.map((k) => k.selector).join(", ")}, which the DKIM layout does not publish (${published.join(", ")})`);
      return [...mine.map((k) => ({ selector: k.selector, text: dkimText(k) })), ...revoked.map((selector) => ({ selector, text: REVOKED_DKIM_TEXT }))];
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

/** What the program will supply, from config alone: a DKIM key per published selector of each
 * sending domain (revoked ones are known: an empty p=), a TLS key, IPv6 only with features.ipv6, SES tokens per sending domain. */
export function pendingValues(cfg: MailConfig): RecordValues {
  const sending = mailDomains(cfg).map((d) => d.name);
  return {
    // Documentation addresses (RFC 5737, RFC 3849): the plan keeps no values.
    addresses: { ipv4: "192.0.2.1", ...(cfg.features.ipv6 ? { ipv6: "2001:db8::1" } : {}) },
    dkim: (d) => {
      const { published, revoked } = domainDkim(d, cfg.dkimLayout);
      return [...published.map((selector) => ({ selector, text: PENDING })), ...revoked.map((selector) => ({ selector, text: REVOKED_DKIM_TEXT }))];
    },
    tlsa: PENDING,
    sesTokens: (d) => Array.from({ length: SES_TOKENS_PER_DOMAIN }, (_, n) => pendingSesToken(sending.indexOf(d.name), n)),
  };
}

// Strict shapes for every value that ends up inside a generated file (Postfix maps, Dovecot
// passwd-file, Rspamd maps, zone files, shell scripts). Anything outside these shapes is refused
// at config time, so no newline, space, quote, shell or Postfix metacharacter can ever reach a
// rendered file. Lowercase only: DNS and mail routing are case-insensitive, maps are not.
import { parseIpRange, parseIpv4 } from "./ip";

/** One DNS label: letters, digits, inner hyphens; 1..63 characters (RFC 1035 LDH rule). */
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** A top-level label: letters only, at least two (rules out numeric "TLDs" that look like IPs),
 * or an internationalised TLD in its ASCII (punycode) form, e.g. xn--p1ai (RFC 5890). */
const TLD = "(?:[a-z]{2,63}|xn--[a-z0-9](?:[a-z0-9-]{0,57}[a-z0-9])?)";

export const DOMAIN_RE = new RegExp(`^(?:${LABEL}\\.)+${TLD}$`);
/** Local part of a mailbox address: a conservative dot-atom subset (no quoting, no % ! or @). */
export const LOCAL_PART_RE = /^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$/;

export function isDomainName(value: string): boolean {
  return value.length <= 253 && DOMAIN_RE.test(value) && !value.includes("..");
}

export function isLocalPart(value: string): boolean {
  return LOCAL_PART_RE.test(value) && !value.includes("..");
}

/** An address as a mail admin writes it in a map: local@domain, both parts strict. */
export function isMailAddress(value: string): boolean {
  const at = value.lastIndexOf("@");
  if (at <= 0 || value.indexOf("@") !== at) return false;
  return isLocalPart(value.slice(0, at)) && isDomainName(value.slice(at + 1));
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1);
}

export function localPartOf(address: string): string {
  return address.slice(0, address.lastIndexOf("@"));
}

/** Is `name` equal to `domain` or inside it (a subdomain)? */
export function isWithin(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** A Pulumi config key name (without namespace) that refers to a secret value. */
export const SECRET_KEY_RE = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

/** Pulumi stack names also become SSM paths (/mailfort/<stack>/) and resource names. */
export const STACK_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}$/;

/** IPv4 address in dotted-quad form, each octet 0..255 without leading zeros. */
export function isIpv4(value: string): boolean {
  return parseIpv4(value) !== undefined;
}

/** IPv4 CIDR such as 203.0.113.0/24. */
export function isIpv4Cidr(value: string): boolean {
  return value.includes("/") && parseIpRange(value)?.family === 4;
}

/** IPv6 address or CIDR (hex groups, at most one '::', any case). */
export function isIpv6OrCidr(value: string): boolean {
  return parseIpRange(value)?.family === 6;
}

/** DNSBL filter on the returned address, Postfix syntax: 127.0.0.[2..11] or 127.0.0.2 */
export const DNSBL_FILTER_RE = /^127\.(?:[0-9]{1,3}|\[[0-9]{1,3}(?:\.\.[0-9]{1,3})?(?:;[0-9]{1,3}(?:\.\.[0-9]{1,3})?)*\])(?:\.(?:[0-9]{1,3}|\[[0-9]{1,3}(?:\.\.[0-9]{1,3})?(?:;[0-9]{1,3}(?:\.\.[0-9]{1,3})?)*\])){2}$/;

// Strict shapes for every value that ends up inside a generated file (Postfix maps, Dovecot
// passwd-file, Rspamd maps, zone files, shell scripts). Anything outside these shapes is refused
// at config time, so no newline, space, quote, shell or Postfix metacharacter can ever reach a
// rendered file. Lowercase only: DNS and mail routing are case-insensitive, maps are not.

/** One DNS label: letters, digits, inner hyphens; 1..63 characters (RFC 1035 LDH rule). */
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** A top-level label: letters only, at least two (rules out numeric "TLDs" that look like IPs). */
const TLD = "[a-z]{2,63}";

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
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv4 CIDR such as 203.0.113.0/24. */
export function isIpv4Cidr(value: string): boolean {
  const [ip, len, ...rest] = value.split("/");
  return rest.length === 0 && ip !== undefined && isIpv4(ip) && len !== undefined && /^(?:[0-9]|[12][0-9]|3[0-2])$/.test(len);
}

/** IPv6 address or CIDR in a conservative textual form (hex groups, at most one '::'). */
export function isIpv6OrCidr(value: string): boolean {
  const [ip, len, ...rest] = value.split("/");
  if (rest.length !== 0 || ip === undefined) return false;
  if (len !== undefined && !/^(?:[0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$/.test(len)) return false;
  if (!/^[0-9a-f:]+$/.test(ip) || ip.split("::").length > 2) return false;
  const groups = ip.split(":").filter((g) => g !== "");
  return groups.every((g) => g.length <= 4) && (ip.includes("::") ? groups.length < 8 : groups.length === 8);
}

/** DNSBL filter on the returned address, Postfix syntax: 127.0.0.[2..11] or 127.0.0.2 */
export const DNSBL_FILTER_RE = /^127\.(?:[0-9]{1,3}|\[[0-9]{1,3}(?:\.\.[0-9]{1,3})?(?:;[0-9]{1,3}(?:\.\.[0-9]{1,3})?)*\])(?:\.(?:[0-9]{1,3}|\[[0-9]{1,3}(?:\.\.[0-9]{1,3})?(?:;[0-9]{1,3}(?:\.\.[0-9]{1,3})?)*\])){2}$/;

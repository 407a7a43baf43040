// A and AAAA records pointing a name at the server.
import type { MailConfig } from "../../config";
import { isIpv4, isIpv6OrCidr } from "../../config/names";
import { record } from "./record";
import type { DnsRecord, ServerAddresses } from "./types";

/** AAAA only when IPv6 is on in the config AND the server has an address (brief: both). */
export function addressRecords(cfg: Pick<MailConfig, "features">, addresses: ServerAddresses, zone: string, name: string, purpose: string): DnsRecord[] {
  if (!isIpv4(addresses.ipv4)) throw new Error(`server IPv4 address ${JSON.stringify(addresses.ipv4)} is not a dotted-quad address`);
  const out = [record(zone, name, "A", [addresses.ipv4], purpose)];
  if (cfg.features.ipv6 && addresses.ipv6 !== undefined) {
    out.push(record(zone, name, "AAAA", [canonicalIpv6(addresses.ipv6)], purpose));
  }
  return out;
}

/** RFC 5952 text form (lowercase, zeros compressed), as DNS servers print it back, so the same
 * address never shows up as a diff. The WHATWG URL parser implements exactly RFC 5952. */
function canonicalIpv6(address: string): string {
  const v6 = address.toLowerCase();
  if (v6.includes("/") || !isIpv6OrCidr(v6)) throw new Error(`server IPv6 address ${JSON.stringify(address)} is not an IPv6 address`);
  return new URL(`http://[${v6}]/`).hostname.slice(1, -1);
}

// Reverse DNS: PTR of the server's address -> the mail hostname. Receivers check that the PTR
// and the HELO name agree (forward-confirmed reverse DNS). On AWS the PTR is set on the Elastic
// IP (aws.ec2.EipDomainName); the lab's DNS serves this zone instead.
import type { MailConfig } from "../../config";
import { isIpv4 } from "../../config/names";
import { absolute, record } from "./record";
import type { DnsRecord, ServerAddresses } from "./types";
import { type ZoneFileOptions, renderZoneFile } from "./zone-file";

/** The classful /24 reverse zone holding an IPv4 address: 203.0.113.7 -> 113.0.203.in-addr.arpa. */
export function reverseZoneOf(ipv4: string): string {
  if (!isIpv4(ipv4)) throw new Error(`${JSON.stringify(ipv4)} is not a dotted-quad IPv4 address`);
  return `${ipv4.split(".").slice(0, 3).reverse().join(".")}.in-addr.arpa`;
}

export function ptrRecords(cfg: Pick<MailConfig, "hostname">, addresses: Pick<ServerAddresses, "ipv4">): DnsRecord[] {
  const zone = reverseZoneOf(addresses.ipv4);
  const name = `${addresses.ipv4.split(".")[3]}.${zone}`;
  return [record(zone, name, "PTR", [absolute(cfg.hostname)], "PTR (reverse of the mail host)")];
}

/** The reverse zone file for the server's IPv4 address. */
export function renderReverseZone(cfg: Pick<MailConfig, "hostname">, addresses: Pick<ServerAddresses, "ipv4">, opts: Omit<ZoneFileOptions, "extra">): { zone: string; text: string } {
  const records = ptrRecords(cfg, addresses);
  const zone = reverseZoneOf(addresses.ipv4);
  return { zone, text: renderZoneFile(zone, records, opts) };
}

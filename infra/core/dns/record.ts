// Small constructors so each record module reads as the record it publishes.
import { TTL_DEFAULT } from "./ttl";
import { txtValue } from "./txt";
import type { DnsRecord, RecordType } from "./types";

/** A record with the default TTL. */
export function record(zone: string, name: string, type: RecordType, values: readonly string[], purpose: string, ttl = TTL_DEFAULT): DnsRecord {
  return { zone, name: name.toLowerCase(), type, ttl, values, purpose };
}

/** A TXT record holding one text (split into <=255-octet strings). */
export function txt(zone: string, name: string, text: string, purpose: string, ttl = TTL_DEFAULT): DnsRecord {
  return record(zone, name, "TXT", [txtValue(text)], purpose, ttl);
}

/** A domain name as absolute RDATA (trailing dot); "." stays the root. */
export function absolute(name: string): string {
  return name === "." || name.endsWith(".") ? name : `${name}.`;
}

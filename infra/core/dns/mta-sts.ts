// MTA-STS (RFC 8461): the policy text the host serves at
// https://mta-sts.<domain>/.well-known/mta-sts.txt, and the id published in the _mta-sts TXT
// record. Senders refetch the policy only when the id changes, so the id is a hash of the policy:
// it changes exactly when the policy text changes, and never otherwise.
import { createHash } from "node:crypto";
import type { DomainConfig, MailConfig } from "../../config";
import { addressRecords } from "./addresses";
import { txt } from "./record";
import type { DnsRecord, ServerAddresses } from "./types";

const SECONDS_PER_DAY = 86_400;

/** RFC 8461 3.2: "key: value" lines, CRLF line endings. One mx line: our one MX host. */
export function mtaStsPolicy(cfg: Pick<MailConfig, "hostname">, domain: Pick<DomainConfig, "mtaSts">): string {
  const lines = [
    "version: STSv1",
    `mode: ${domain.mtaSts.mode}`,
    `mx: ${cfg.hostname}`,
    `max_age: ${domain.mtaSts.maxAgeDays * SECONDS_PER_DAY}`,
  ];
  return lines.map((l) => `${l}\r\n`).join("");
}

/** RFC 8461 3.1: id is 1-32 characters of [A-Za-z0-9]. 32 hex digits = 128 bits of SHA-256. */
export function mtaStsId(policyText: string): string {
  return createHash("sha256").update(policyText, "utf8").digest("hex").slice(0, 32);
}

/** `_mta-sts` TXT with the policy id (config alone); the policy host is mtaStsHostRecords.
 * mode "none" publishes too, on purpose: RFC 8461 8.3 withdraws a policy by serving mode none
 * under a new id. Dropping the records instead would leave senders applying their cached
 * enforce/testing policy until its max_age runs out (RFC 8461 5.1: no TXT -> use the cache). */
export function mtaStsTxtRecords(cfg: Pick<MailConfig, "hostname">, d: DomainConfig): DnsRecord[] {
  return [txt(d.name, `_mta-sts.${d.name}`, `v=STSv1; id=${mtaStsId(mtaStsPolicy(cfg, d))}`, "MTA-STS")];
}

/** The mta-sts.<domain> host that serves the policy: the server's addresses. */
export function mtaStsHostRecords(cfg: Pick<MailConfig, "features">, d: DomainConfig, addresses: ServerAddresses): DnsRecord[] {
  return addressRecords(cfg, addresses, d.name, `mta-sts.${d.name}`, "MTA-STS policy host");
}

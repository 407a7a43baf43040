// The pure DNS record set of mailfort and its zone-file rendering. No I/O, no Pulumi.
export type { DkimPublicKey, DnsInputs, DnsRecord, RecordType, ServerAddresses } from "./types";
export { mtaStsId, mtaStsPolicy } from "./mta-sts";

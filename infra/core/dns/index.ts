// The pure DNS record set of mailfort and its zone-file rendering. No I/O, no Pulumi.
export type { DkimPublicKey, DnsInputs, DnsRecord, RecordType, ServerAddresses } from "./types";
export { mtaStsId, mtaStsPolicy } from "./mta-sts";
export { buildRecordSet } from "./record-set";
export { type PartRef, type PlannedRecord, placeRecords, plannedRecord, plannedSources, recordPlan } from "./plan";
export { type RecordSource, sourceKey } from "./parts";
export { someInputValues } from "./values";
export { type ZoneFileOptions, renderZoneFile } from "./zone-file";
export { ptrRecords, renderReverseZone, reverseZoneOf } from "./reverse";
export { txtStrings, txtText, txtValue } from "./txt";
export { zoneOf } from "./zones";
export { TTL_DEFAULT, TTL_TLSA } from "./ttl";
export { route53ProviderValues } from "./route53";

// Pulumi entry point: package.json "main" (Pulumi.yaml names none, so the CLI runs the program
// and its providers from the repo root). Everything happens in program.ts; this file only turns
// its outputs into stack outputs (`pulumi stack output`).
import "./error-inspect-guard";
import { mailfort } from "./program";

const { outputs } = mailfort();

export const hostname = outputs.hostname;
export const ipv4 = outputs.ipv4;
export const ipv6 = outputs.ipv6;
/** Set these at your registrar for each zone this stack created. */
export const nameservers = outputs.nameservers;
/** DNSSEC: the DS record to set at your registrar, per zone. */
export const dsRecords = outputs.dsRecords;
export const instanceId = outputs.instanceId;
export const sessionCommand = outputs.sessionCommand;
export const dataVolumeId = outputs.dataVolumeId;
export const ptrRecord = outputs.ptrRecord;
export const caCertPem = outputs.caCertPem;
/** Only with mailfort:verifyAfterDeploy enabled: verify's summary of this deploy. */
export const verification = outputs.verification;

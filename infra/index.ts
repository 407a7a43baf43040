// Pulumi entry point: package.json "main" (Pulumi.yaml names none, so the CLI runs the program
// and its providers from the repo root). Everything happens in program.ts; this file only hands
// its outputs to the engine as stack outputs (`pulumi stack output`). The export is an async
// function, which @pulumi/pulumi's runner awaits: the program looks up a restore's snapshot
// before it registers any resource (program.ts). The outputs: hostname, ipv4, ipv6 (when on),
// nameservers (set these at your registrar per zone this stack created), dsRecords (DNSSEC),
// instanceId, sessionCommand, dataVolumeId, previousDataVolumeId (after a restore), ptrRecord,
// caCertPem (self-signed mode), verification (with mailfort:verifyAfterDeploy).
import "./error-inspect-guard";
import { mailfort } from "./program";

export = async () => (await mailfort()).outputs;

// The lab's AWS for a run: the endpoint CA, the emulator root, the emulator and pebble on the
// `aws` host, the stack loaded from the synth output (what `pulumi up` would have created), and
// Route53's zones exported for nsd. Then, per boot, the instance IMDS speaks for, and the lab
// playing EC2: the status-check metrics EC2 publishes for a running instance, every minute.
import { join } from "node:path";
import type { MailConfig } from "../../infra/config";
import { run } from "../exec";
import { labDir } from "../paths";
import type { LabSynth } from "../synth";
import { labHost } from "../topology";
import { ensureZoneKey } from "../dns/dnssec";
import { nsdPidFile } from "../dns/nsd";
import { ACME_HOST } from "../dns/service-zones";
import { endpointNames, makeEndpointCerts } from "./certs";
import { controlCall } from "./control";
import { ACME_MANAGEMENT_PORT, type RunningEmulator, startEmulator, startPebble, stopEmulator } from "./host";
import type { EmulatorPlan } from "./plan";
import { planFromSynth } from "./plan-files";
import { emulatorRoot } from "./root";

/** What /apply answers: the ids the emulator minted, and the AWS managed policies' documents. */
export interface AppliedStack {
  readonly keys: Readonly<Record<string, string>>;
  readonly zones: Readonly<Record<string, string>>;
  readonly parameters: number;
  readonly records: number;
  readonly ids: Readonly<Record<string, string>>;
  readonly awsManagedPolicies: Readonly<Record<string, object>>;
}

export interface LabAws {
  readonly root: string;
  readonly emu: RunningEmulator;
  readonly plan: EmulatorPlan;
  readonly applied: AppliedStack;
  /** The CA of the endpoints' TLS certificates (the VM trusts it through vendor data). */
  readonly endpointCaPem: string;
  /** Pebble's root: what the lab's clients trust for the server's ACME certificate. */
  readonly acmeRootPem: string;
  /** Zone -> the file the emulator exports it to (host path), for nsd. */
  readonly exportedZones: ReadonlyMap<string, string>;
}

/**
 * Pebble issues certificates valid as long as Let's Encrypt's: outside mailfort-cert's 30-day
 * window and testssl's expiry warnings, as on AWS; the renewal check forces its renewal.
 */
export const ACME_VALIDITY_SECONDS = 90 * 86_400;

/** The emulator and pebble up, the stack loaded, the zones exported (nsd starts after this, on those files). */
export async function startLabAws(cfg: MailConfig, synth: LabSynth, log: (l: string) => void): Promise<LabAws> {
  const stateDir = labDir();
  stopLabAws(log);
  const root = emulatorRoot(log);
  const aws = labHost("aws");
  const certs = makeEndpointCerts(join(stateDir, "aws-certs"), endpointNames(cfg.region, ACME_HOST), [aws.address]);
  const emu = await startEmulator({ root, netns: aws.netns, address: aws.address, region: cfg.region, stateDir, certs, nsdPidFile: nsdPidFile(), nameserver: labHost("dns").address, zoneSigningKey: ensureZoneKey() }, log);
  await startPebble(emu, { validitySeconds: ACME_VALIDITY_SECONDS }, log);
  const plan = planFromSynth(synth.outDir, synth.secretsDir, { [synth.cloudIpv4]: labHost("mail").address });
  const applied = await controlCall<AppliedStack>(emu.control, "POST", "/apply", plan);
  log(`aws: loaded the stack: ${applied.parameters} SSM parameters, ${Object.keys(applied.zones).length} hosted zones with ${applied.records} records, role ${plan.roles.map((r) => r.name).join(", ")}, ${plan.alarms.length} alarms`);
  const written = await controlCall<Record<string, string>>(emu.control, "POST", "/export", {});
  const exportedZones = new Map(Object.keys(written).map((zone) => [zone, join(emu.zonesDir, `${zone}.zone`)]));
  return { root, emu, plan, applied, endpointCaPem: certs.caPem, acmeRootPem: pebbleRoot(aws.netns, aws.address, certs.caFile), exportedZones };
}

/** Pebble makes a new root each start; its management API hands it out. */
function pebbleRoot(netns: string, address: string, caFile: string): string {
  const script = "import ssl,sys,urllib.request as u;print(u.urlopen(sys.argv[1],context=ssl.create_default_context(cafile=sys.argv[2]),timeout=10).read().decode())";
  const pem = run("python3", ["-c", script, `https://${address}:${ACME_MANAGEMENT_PORT}/roots/0`, caFile], { netns }).stdout;
  if (!pem.includes("BEGIN CERTIFICATE")) throw new Error(`pebble's management API gave no root certificate: ${pem.slice(0, 200)}`);
  return pem;
}

/** The lab's EC2 status publisher for the instance now running (one at a time). */
let stopPlayingEc2: (() => void) | undefined;

/**
 * A new instance: IMDS answers for it, the alarms watch it (what `pulumi up` does after a
 * replacement), and the lab plays EC2's part while it runs: StatusCheckFailed_{System,Instance}
 * every minute, as EC2 measures them from outside the OS (0 while the VM is alive).
 */
export async function launchInstance(aws: LabAws, instanceId: string, alive: () => boolean, log: (l: string) => void): Promise<void> {
  stopPlayingEc2?.();
  await controlCall(aws.emu.control, "POST", "/instance", { instanceId, privateIp: labHost("mail").address, architecture: "x86_64" });
  const tick = () => {
    controlCall(aws.emu.control, "POST", "/ec2-status", { instanceId, system: 0, instance: alive() ? 0 : 1 })
      .catch((e: unknown) => log(`aws: EC2 status not published: ${e instanceof Error ? e.message : String(e)}`));
  };
  tick();
  const timer = setInterval(tick, 60_000);
  stopPlayingEc2 = () => clearInterval(timer);
}

export function stopLabAws(log: (l: string) => void): void {
  stopPlayingEc2?.();
  stopPlayingEc2 = undefined;
  stopEmulator(labDir(), labHost("aws").netns, log);
}

// The lab up and down: synth the lab stack, build or reuse the image, bring up the closed network
// with the lab's AWS, its DNS and the remote MX, boot the VM as a new instance and wait for
// readiness and its certificate; and tear everything down again (lab/run.ts runs the checks).
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../infra/config";
import { startDns, stopDns } from "./dns/nsd";
import { type LabImage, buildImage } from "./image/build";
import { networkDown, networkUp } from "./net/network";
import { writeNetnsResolvConf, removeNetnsResolvConf } from "./net/resolv";
import { labDir, labPaths } from "./paths";
import { startRemote, stopRemote } from "./remote/postfix";
import { startTlsReceivers, stopTlsReceivers } from "./remote/tls-mxes";
import { labStackConfig } from "./stack";
import { type LabSynth, runLabSynth } from "./synth";
import { labHost } from "./topology";
import type { Accelerator } from "./vm/accel";
import { makeSecretsDisk, makeSeedDisk } from "./vm/seed";
import { vendorData } from "./vm/vendor-data";
import { type Readiness, type RunningVm, bootVm, ensureDataDisk, isAlive, runningVm, shutdownVm, waitReady } from "./vm/vm";
import { type LabAws, launchInstance, startLabAws, stopLabAws } from "./aws/lab-aws";
import { waitForAcmeCertificate } from "./aws/checks/certificate";
import { stopMirror } from "./mirror/mirror";

export interface LabFigures {
  /** KVM or TCG, and why: boot and verify times differ ~10x between them. */
  accelerator?: Accelerator;
  imageBuildSeconds: number;
  imageCached: boolean;
  /** The replacement's "ec2" image (and its repository): built now, or reused (0). */
  ec2ImageBuildSeconds?: number;
  bootToReadySeconds?: number;
  /** From readiness until every TLS port served the ACME certificate. */
  certificateSeconds?: number;
  replacementBootToReadySeconds?: number;
  replacementCertificateSeconds?: number;
  memoryUsedMb?: number;
  /** PHP-FPM's PSS (the webmail's resident cost) at rest, and with one signed-in session. */
  webmailMemoryAtRestMb?: number;
  webmailMemoryWithSessionMb?: number;
  verifySeconds?: number;
  /** The induced-fault phase, from the first fault until every fault's alarm fired (or time ran out). */
  faultsSeconds?: number;
  /** The DKIM rotation before the faults, its four steps from the first synth to the last check. */
  dkimRotationSeconds?: number;
  totalSeconds?: number;
}

/** What a boot hands the instance besides its image: the user data, and where its secrets come from. */
export interface BootInputs {
  readonly userData: Buffer;
  /** The lab's AWS: IMDS answers for the instance, the host reads SSM (absent: no metadata service). */
  readonly aws?: LabAws;
  /** The MFSECRETS disk's parameter tree: the quick-run shortcut (else the host reads SSM). */
  readonly secretsDir?: string;
  /** unbound trust anchors of the lab's DNSSEC-signed zones (absent: the VM's unbound does not validate them). */
  readonly trustAnchors?: readonly string[];
}

export interface Booted {
  readonly vm: RunningVm;
  readonly ready: Readiness;
  readonly instanceId: string;
}

export interface LabUp extends Booted {
  readonly cfg: MailConfig;
  readonly image: LabImage;
  readonly boot: BootInputs;
  readonly aws: LabAws;
  readonly certificate: { readonly issued: boolean; readonly seconds: number; readonly detail: string };
}

export interface UpOptions {
  /** Keep the data volume from a previous boot (replacement); default: a blank one. */
  readonly keepData?: boolean;
  readonly readyTimeoutSeconds: number;
  /** Also replace the instance and check that the mail survived it. */
  readonly replace?: boolean;
  /** Seed the secrets from a disk (MFSECRETS) instead of SSM: quicker, and not what EC2 does. */
  readonly secretsDisk?: boolean;
}

/** Readiness comes before the certificate (services start on a self-signed one from the same key). */
const CERTIFICATE_TIMEOUT_SECONDS = 600;

export async function labUp(opts: UpOptions, log: (l: string) => void): Promise<LabUp> {
  const cfg = labStackConfig();
  mkdirSync(labDir(), { recursive: true });
  const synth = runLabSynth(cfg, log);
  writeFileSync(join(labDir(), "lab-records.json"), `${JSON.stringify({ records: synth.records }, null, 2)}\n`);
  return { cfg, ...(await startAround(cfg, synth, opts, log)) };
}

/**
 * Everything after the synth: the image, the closed network, the lab's AWS (emulator + ACME CA,
 * loaded with the stack), DNS from the emulated Route53, the remote MX, then the VM up to
 * readiness and its ACME certificate. Shared by `lab up` and the benchmark's own stack.
 */
export async function startAround(cfg: MailConfig, synth: LabSynth, opts: UpOptions, log: (l: string) => void): Promise<Omit<LabUp, "cfg">> {
  const image = await buildImage(cfg, log);
  networkUp(log);
  writeNetnsResolvConf();
  const aws = await startLabAws(cfg, synth, log);
  // The lab's clients trust what the server's certificate chains to: pebble's root, or the stack's CA.
  writeFileSync(labPaths.caCert(), synth.caPem ?? aws.acmeRootPem);
  const trustAnchors = startDns(cfg, { records: synth.records, exportedZones: aws.exportedZones, signerRoot: aws.root }, log);
  startRemote(log);
  startTlsReceivers(log);
  const boot: BootInputs = { userData: synth.userData, aws, trustAnchors, ...(opts.secretsDisk ? { secretsDir: synth.secretsDir } : {}) };
  const booted = await bootUntilUp(cfg, image, boot, opts, log);
  const certificate = booted.ready.ready && synth.caPem === undefined
    ? await waitForAcmeCertificate(cfg, aws.acmeRootPem, CERTIFICATE_TIMEOUT_SECONDS)
    : { issued: synth.caPem !== undefined, seconds: 0, detail: synth.caPem !== undefined ? "tls.mode self-signed: the stack's certificate" : "not ready" };
  log(`tls: ${certificate.issued ? "ACME certificate served" : "NO ACME certificate"} ${Math.round(certificate.seconds)} s after readiness (${certificate.detail})`);
  return { image, boot, aws, certificate, ...booted };
}

/**
 * Boot and wait for readiness; when the guest kernel crashed under multi-threaded TCG (an
 * emulator fault, see vm.ts), boot the same instance once more, and say so.
 */
export async function bootUntilUp(cfg: MailConfig, image: LabImage, boot: BootInputs, opts: UpOptions, log: (l: string) => void): Promise<Booted> {
  let { vm, instanceId } = await bootFresh(cfg, image, boot, opts, log);
  let ready = await waitReady(vm, opts.readyTimeoutSeconds * 1000, log);
  if (ready.guestCrashed) {
    log(`vm: ${ready.detail}; booting again (qemu TCG fault, not a mailfort one)`);
    // A crash before readiness left the data volume as the boot script had got it: blank, or
    // formatted and partly set up. Keeping it is what a real second boot would see.
    ({ vm, instanceId } = await bootFresh(cfg, image, boot, { ...opts, keepData: true }, log));
    const again = await waitReady(vm, opts.readyTimeoutSeconds * 1000, log);
    ready = { ...again, detail: `${again.detail} (second boot: the first ${ready.detail})`, seconds: ready.seconds + again.seconds };
  }
  return { vm, ready, instanceId };
}

/** A new instance: fresh overlay and seed (new instance id), the data volume as it is (or blank). */
async function bootFresh(cfg: MailConfig, image: LabImage, boot: BootInputs, opts: UpOptions, log: (l: string) => void): Promise<{ vm: RunningVm; instanceId: string }> {
  mkdirSync(labPaths.vm(), { recursive: true });
  const instanceId = `i-0${randomBytes(8).toString("hex")}`;
  const vendor = vendorData({
    caPems: boot.aws ? [boot.aws.endpointCaPem] : [],
    resolvers: [labHost("dns").address],
    trustAnchors: boot.trustAnchors ?? [],
    ...(boot.aws ? { metadataGateway: labHost("aws").address } : {}),
  });
  const seedDisk = makeSeedDisk(labPaths.vm(), { userData: boot.userData, instanceId, hostname: cfg.hostname, vendorData: vendor });
  const secretsDisk = boot.secretsDir !== undefined ? makeSecretsDisk(labPaths.vm(), boot.secretsDir) : undefined;
  if (!opts.keepData) rmSync(labPaths.dataDisk(), { force: true });
  ensureDataDisk(labPaths.dataDisk(), cfg.instance.dataVolumeGb);
  const vm = bootVm({ image, seedDisk, ...(secretsDisk !== undefined ? { secretsDisk } : {}), dataDisk: labPaths.dataDisk(), memoryMb: 2048, cpus: 2 }, log);
  if (boot.aws) await launchInstance(boot.aws, instanceId, () => isAlive(vm.pid), log);
  log(`vm: instance ${instanceId}; secrets from ${boot.secretsDir !== undefined ? "the MFSECRETS disk (quick run)" : boot.aws ? "SSM (IMDSv2 role credentials)" : "nowhere"}`);
  return { vm, instanceId };
}

export async function labDown(log: (l: string) => void): Promise<void> {
  const vm = runningVm();
  if (vm) await shutdownVm(vm, log);
  stopRemote(log);
  stopTlsReceivers(log);
  stopMirror(log);
  stopLabAws(log);
  stopDns(log);
  removeNetnsResolvConf();
  networkDown(log);
}

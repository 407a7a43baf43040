// The lab from end to end: synth the lab stack, build or reuse the image, bring up the closed
// network with its DNS and remote MX, seed the secrets, boot the VM and wait for readiness; then
// verify, measure, and tear everything down again.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MailConfig } from "../infra/config";
import type { CheckResult } from "../verify/contract";
import { startDns, stopDns } from "./dns/nsd";
import { type LabImage, buildImage } from "./image/build";
import { networkDown, networkUp } from "./net/network";
import { writeNetnsResolvConf, removeNetnsResolvConf } from "./net/resolv";
import { labDir, labPaths } from "./paths";
import { startRemote, stopRemote } from "./remote/postfix";
import { labStackConfig } from "./stack";
import { type LabSynth, runLabSynth } from "./synth";
import { labHost } from "./topology";
import { runVerifyGroup } from "./verify-run";
import { inspectDataDisk } from "./vm/data-disk";
import { measureWebmailMemory } from "./webmail-memory";
import { makeSecretsDisk, makeSeedDisk } from "./vm/seed";
import { type Readiness, type RunningVm, bootVm, ensureDataDisk, guestMemoryUsedMb, runningVm, shutdownVm, waitReady } from "./vm/vm";

export interface LabFigures {
  imageBuildSeconds: number;
  imageCached: boolean;
  bootToReadySeconds?: number;
  replacementBootToReadySeconds?: number;
  memoryUsedMb?: number;
  /** PHP-FPM's PSS (the webmail's resident cost) at rest, and with one signed-in session. */
  webmailMemoryAtRestMb?: number;
  webmailMemoryWithSessionMb?: number;
  verifySeconds?: number;
  totalSeconds?: number;
}

export interface LabUp {
  readonly cfg: MailConfig;
  readonly image: LabImage;
  readonly vm: RunningVm;
  readonly ready: Readiness;
  readonly userData: Buffer;
  readonly secretsDir: string;
}

export interface UpOptions {
  /** Keep the data volume from a previous boot (replacement); default: a blank one. */
  readonly keepData?: boolean;
  readonly readyTimeoutSeconds: number;
  /** Also replace the instance and check that the mail survived it. */
  readonly replace?: boolean;
}

export async function labUp(opts: UpOptions, log: (l: string) => void): Promise<LabUp> {
  const cfg = labStackConfig();
  mkdirSync(labDir(), { recursive: true });
  const synth = runLabSynth(cfg, log);
  writeFileSync(join(labDir(), "lab-records.json"), `${JSON.stringify({ records: synth.records }, null, 2)}\n`);
  const { image, vm, ready } = await startAround(cfg, synth, opts, log);
  return { cfg, image, vm, ready, userData: synth.userData, secretsDir: synth.secretsDir };
}

/**
 * Everything after the synth: the lab CA file, the image, the closed network with its DNS and
 * remote MX, then the VM up to readiness. Shared by `lab up` and the benchmark's own stack.
 */
export async function startAround(cfg: MailConfig, synth: LabSynth, opts: UpOptions, log: (l: string) => void): Promise<{ image: LabImage; vm: RunningVm; ready: Readiness }> {
  writeFileSync(labPaths.caCert(), synth.caPem);
  const image = await buildImage(cfg, log);
  networkUp(log);
  writeNetnsResolvConf();
  startDns(cfg, synth, log);
  startRemote(log);
  const { vm, ready } = await bootUntilUp(cfg, image, synth.userData, synth.secretsDir, opts, log);
  return { image, vm, ready };
}

/**
 * Boot and wait for readiness; when the guest kernel crashed under multi-threaded TCG (an
 * emulator fault, see vm.ts), boot the same instance once more, and say so.
 */
export async function bootUntilUp(cfg: MailConfig, image: LabImage, userData: Buffer, secretsDir: string, opts: UpOptions, log: (l: string) => void): Promise<{ vm: RunningVm; ready: Readiness }> {
  let vm = await bootFresh(cfg, image, userData, secretsDir, opts, log);
  let ready = await waitReady(vm, opts.readyTimeoutSeconds * 1000, log);
  if (ready.guestCrashed) {
    log(`vm: ${ready.detail}; booting again (qemu TCG fault, not a mailfort one)`);
    // A crash before readiness left the data volume as the boot script had got it: blank, or
    // formatted and partly set up. Keeping it is what a real second boot would see.
    vm = await bootFresh(cfg, image, userData, secretsDir, { ...opts, keepData: true }, log);
    const again = await waitReady(vm, opts.readyTimeoutSeconds * 1000, log);
    ready = { ...again, detail: `${again.detail} (second boot: the first ${ready.detail})`, seconds: ready.seconds + again.seconds };
  }
  return { vm, ready };
}

/** A new instance: fresh overlay and seed (new instance id), the data volume as it is (or blank). */
async function bootFresh(cfg: MailConfig, image: LabImage, userData: Buffer, secretsDir: string, opts: UpOptions, log: (l: string) => void): Promise<RunningVm> {
  mkdirSync(labPaths.vm(), { recursive: true });
  const seedDisk = makeSeedDisk(labPaths.vm(), { userData, instanceId: `i-lab-${Date.now().toString(16)}`, hostname: cfg.hostname });
  const secretsDisk = makeSecretsDisk(labPaths.vm(), secretsDir, [labHost("dns").address]);
  if (!opts.keepData) rmSync(labPaths.dataDisk(), { force: true });
  ensureDataDisk(labPaths.dataDisk(), cfg.instance.dataVolumeGb);
  return bootVm({ image, seedDisk, secretsDisk, dataDisk: labPaths.dataDisk(), memoryMb: 2048, cpus: 2 }, log);
}

export async function labDown(log: (l: string) => void): Promise<void> {
  const vm = runningVm();
  if (vm) await shutdownVm(vm, log);
  stopRemote(log);
  stopDns(log);
  removeNetnsResolvConf();
  networkDown(log);
}

export interface LabReport {
  readonly results: CheckResult[];
  readonly figures: LabFigures;
}

/**
 * Mail survives a new instance: replace the instance (fresh overlay and seed, new boot, same data
 * volume) after mail was delivered and one message was left queued, then check nothing was lost
 * or reformatted.
 */
async function replaceInstance(up: LabUp, opts: UpOptions, figures: LabFigures, log: (l: string) => void): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  log("replace: stopping the remote MX so an outbound message stays queued");
  stopRemote(log);
  // From the remote host, which no check has provoked fail2ban from.
  results.push(...(await runVerifyGroup(up.cfg, { group: "before-replace", from: "remote" }, log)));
  await shutdownVm(up.vm, log);
  const before = inspectDataDisk(labPaths.dataDisk());
  log(`replace: data volume ${before.label || "(no label)"} UUID ${before.uuid}, ${before.deferred} file(s) in the deferred queue`);
  startRemote(log, { keepMaildir: true });
  const { vm, ready } = await bootUntilUp(up.cfg, up.image, up.userData, up.secretsDir, { ...opts, keepData: true }, log);
  figures.replacementBootToReadySeconds = Math.round(ready.seconds);
  results.push({ id: "replace-boot-ready", title: "a replacement instance boots on the same data volume and reports MAILFORT-READY", status: ready.ready ? "pass" : "fail", detail: ready.detail, seconds: Math.round(ready.seconds) });
  if (ready.ready) results.push(...(await runVerifyGroup(up.cfg, { group: "after-replace", from: "sender" }, log)));
  await shutdownVm(vm, log);
  const after = inspectDataDisk(labPaths.dataDisk());
  const same = before.uuid !== "" && before.uuid === after.uuid;
  results.push({
    id: "replace-not-reformatted",
    title: "the data volume was not reformatted by the replacement (same filesystem UUID), and the queue was kept until delivery",
    status: same && before.deferred > 0 ? "pass" : "fail",
    detail: `UUID before ${before.uuid || "none"}, after ${after.uuid || "none"}; deferred queue files before ${before.deferred}, after ${after.deferred}`,
    seconds: 0,
  });
  return results;
}

export async function labRun(opts: UpOptions & { readonly keepUp?: boolean }, log: (l: string) => void): Promise<LabReport> {
  const started = Date.now();
  const results: CheckResult[] = [];
  const figures: LabFigures = { imageBuildSeconds: 0, imageCached: false };
  // A blank data volume: nothing the webmail checks enrolled before is valid any more.
  rmSync(labPaths.webmailState(), { force: true });
  rmSync(labPaths.screenshots(), { recursive: true, force: true });
  try {
    const up = await labUp(opts, log);
    figures.imageBuildSeconds = up.image.buildSeconds;
    figures.imageCached = up.image.cached;
    figures.bootToReadySeconds = Math.round(up.ready.seconds);
    results.push({ id: "lab-boot-ready", title: "the VM boots the synthesized user data and reports MAILFORT-READY", status: up.ready.ready ? "pass" : "fail", detail: up.ready.detail, seconds: figures.bootToReadySeconds });
    log(`vm: ${up.ready.ready ? "READY" : "NOT READY"} after ${figures.bootToReadySeconds} s`);
    if (up.ready.ready) {
      const verifyStarted = Date.now();
      results.push(...(await runVerifyGroup(up.cfg, { group: "client", from: "sender" }, log)));
      // testssl.sh from the scanner (its connections spread over an ignoreIps pool), side by
      // side with the hostile groups: about 7 minutes of mostly waiting on handshakes, from
      // addresses that neither fail2ban nor the attacker's checks look at.
      const testssl = runVerifyGroup(up.cfg, { group: "testssl", from: "scanner" }, log);
      testssl.catch(() => undefined);
      for (const g of [
        { group: "attacker" as const, from: "attacker" as const },
        { group: "after-attack" as const, from: "sender" as const },
        // Spread over the sender's probe addresses, so no address reaches maxRetry refusals.
        { group: "client-relay" as const, from: "sender" as const },
      ]) {
        results.push(...(await runVerifyGroup(up.cfg, g, log)));
      }
      results.push(...(await testssl));
      figures.verifySeconds = Math.round((Date.now() - verifyStarted) / 1000);
      figures.memoryUsedMb = await guestMemoryUsedMb(up.vm).catch(() => undefined);
      if (up.cfg.features.webmail) {
        const m = await measureWebmailMemory(up.cfg, log);
        figures.webmailMemoryAtRestMb = m.atRestMb;
        figures.webmailMemoryWithSessionMb = m.withSessionMb;
        results.push(...m.results);
      }
      if (opts.replace) results.push(...(await replaceInstance(up, opts, figures, log)));
    }
  } finally {
    if (!opts.keepUp) await labDown(log).catch((e: unknown) => log(`down: ${e instanceof Error ? e.message : String(e)}`));
  }
  figures.totalSeconds = Math.round((Date.now() - started) / 1000);
  return { results, figures };
}

// Mail survives a new instance, and a restore: after mail was delivered and one message left
// queued, the live data volume is snapshotted and more mail arrives; the replacement instance
// (fresh overlay and seed, a new instance id, the restoring user data) boots on a volume made from
// the snapshot, the later mail is recovered from the old volume (lab/restore.ts), and verify runs
// on the restored server. Then nothing may be lost, duplicated or reformatted. The new instance
// boots the "ec2" image (only what Debian's EC2 image holds): cloud-init installs the user data's
// packages at boot from the lab's Debian mirror, as on every new EC2 instance; it fetches its
// secrets and host files and gets its certificate through Route53 like the first.
import type { CheckResult } from "../verify/contract";
import { hostPackages } from "../infra/core/host";
import { waitForAcmeCertificate } from "./aws/checks/certificate";
import type { LabImage } from "./image/build";
import { repoDebs } from "./image/repo";
import { servedPackages, startMirror } from "./mirror/mirror";
import { labPaths } from "./paths";
import { startRemote, stopRemote } from "./remote/postfix";
import { LAB_RESTORE_SNAPSHOT, checkRestored, makeRestoredDisk, takeLabSnapshot, userDataDifference } from "./restore";
import { type LabFigures, type LabUp, type UpOptions, bootUntilUp } from "./runner";
import { restoreStackFile, synthRestoreUserData } from "./synth";
import { runVerifyGroup } from "./verify-run";
import { inspectDataDisk } from "./vm/data-disk";
import { shutdownVm } from "./vm/vm";

const debOf = (pkg: string, files: readonly string[]) => files.some((f) => f.startsWith(`${pkg}_`));

/**
 * The user data's packages came from the mirror at boot: Debian's signed index, then a .deb for
 * each one the image lacks (those the lab repository holds; Debian's EC2 image already has some,
 * openssl or chrony, and apt rightly fetches nothing for them).
 */
export function packagesAtBoot(hostPackages: readonly string[], inRepo: readonly string[], served: readonly string[]): CheckResult {
  const wanted = hostPackages.filter((p) => debOf(p, inRepo));
  const inImage = hostPackages.filter((p) => !debOf(p, inRepo));
  const missing = wanted.filter((p) => !debOf(p, served));
  const pass = missing.length === 0 && wanted.length > 0;
  return {
    id: "replace-packages-at-boot",
    title: "the replacement boots Debian's EC2 package set; cloud-init installs the user data's packages from the lab's Debian mirror",
    status: pass ? "pass" : "fail",
    detail: pass
      ? `${served.length} packages fetched from deb.debian.org (the lab mirror), the ${wanted.length} of the user data's the image lacks among them; already in the image: ${inImage.join(", ") || "none"}`
      : wanted.length === 0 ? "the lab repository holds none of the user data's packages: the image is not Debian's EC2 set" : `never fetched: ${missing.join(", ")} (${served.length} fetched)`,
    seconds: 0,
  };
}

/** The instance a last phase runs on: its id, the user data it booted and the stack file that came from. */
export interface RunningInstance {
  readonly instanceId: string;
  readonly userData: Buffer;
  readonly stackFile: string;
}

/**
 * Replace the instance onto a volume restored from a live snapshot, check the restore, and power
 * the replacement off. `onReplacement` runs last on the replacement while it is still up (the
 * run's DKIM rotation and induced faults: they leave a server nobody else has to use).
 */
export async function replaceInstance(
  up: LabUp, image: LabImage, opts: UpOptions, figures: LabFigures, log: (l: string) => void,
  onReplacement?: (running: RunningInstance) => Promise<CheckResult[]>,
): Promise<{ results: CheckResult[]; instanceId: string }> {
  const results: CheckResult[] = [];
  log("replace: stopping the remote MX so outbound messages stay queued");
  stopRemote(log);
  // From the remote host, which no check has provoked fail2ban from.
  results.push(...(await runVerifyGroup(up.cfg, { group: "before-replace", from: "remote" }, log)));
  const { snapshot, result } = await takeLabSnapshot(up.vm, up.cfg.instance.dataVolumeGb, log);
  results.push(result);
  results.push(...(await runVerifyGroup(up.cfg, { group: "after-snapshot", from: "sender" }, log)));
  const restoringUserData = synthRestoreUserData(LAB_RESTORE_SNAPSHOT, log);
  await shutdownVm(up.vm, log);
  const before = inspectDataDisk(labPaths.dataDisk());
  log(`replace: data volume ${before.label || "(no label)"} UUID ${before.uuid}, ${before.deferred} file(s) in the deferred queue`);
  const userData = await restoringUserData;
  results.push(userDataDifference(up.boot.userData, userData));
  const { previousSha256 } = makeRestoredDisk();
  startRemote(log, { keepMaildir: true });
  if (image.repoDir !== undefined) await startMirror(image.repoDir, log);
  const { vm, ready, instanceId } = await bootUntilUp(up.cfg, image, { ...up.boot, userData }, { ...opts, keepData: true }, log);
  figures.replacementBootToReadySeconds = Math.round(ready.seconds);
  results.push({ id: "replace-boot-ready", title: "a replacement instance boots on the volume restored from the snapshot and reports MAILFORT-READY", status: ready.ready ? "pass" : "fail", detail: `${ready.detail} (image: ${image.variant})`, seconds: Math.round(ready.seconds) });
  if (image.repoDir !== undefined) results.push(packagesAtBoot(hostPackages(up.cfg), repoDebs(image.repoDir), servedPackages()));
  if (ready.ready) {
    const cert = await waitForAcmeCertificate(up.cfg, up.aws.acmeRootPem, 600);
    figures.replacementCertificateSeconds = Math.round(cert.seconds);
    results.push({ id: "replace-cert-acme", title: "the replacement instance gets its own ACME certificate through Route53 (same key)", status: cert.issued ? "pass" : "fail", detail: cert.detail, seconds: Math.round(cert.seconds) });
    results.push(...(await checkRestored(vm, snapshot, previousSha256, log)));
    for (const group of ["after-replace", "after-recovery", "after-restore"] as const) results.push(...(await runVerifyGroup(up.cfg, { group, from: "sender" }, log)));
    if (onReplacement) results.push(...(await onReplacement({ instanceId, userData, stackFile: restoreStackFile() })));
  }
  await shutdownVm(vm, log);
  const after = inspectDataDisk(labPaths.dataDisk());
  const same = before.uuid !== "" && before.uuid === after.uuid;
  results.push({
    id: "replace-not-reformatted",
    title: "the restored data volume was not reformatted by the replacement (the snapshot's filesystem UUID), and the queue was kept until delivery",
    status: same && before.deferred > 0 ? "pass" : "fail",
    detail: `UUID before ${before.uuid || "none"}, after ${after.uuid || "none"}; deferred queue files before ${before.deferred}, after ${after.deferred}`,
    seconds: 0,
  });
  return { results, instanceId };
}

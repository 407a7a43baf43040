// Mail survives a new instance: replace the instance (fresh overlay and seed, a new instance id,
// new boot, same data volume) after mail was delivered and one message was left queued, then
// check nothing was lost or reformatted. The new instance fetches its secrets and asks for its
// certificate like the first (and gets one through Route53 again).
import type { CheckResult } from "../verify/contract";
import { waitForAcmeCertificate } from "./aws/checks/certificate";
import { labPaths } from "./paths";
import { startRemote, stopRemote } from "./remote/postfix";
import { type LabFigures, type LabUp, type UpOptions, bootUntilUp } from "./runner";
import { runVerifyGroup } from "./verify-run";
import { inspectDataDisk } from "./vm/data-disk";
import { shutdownVm } from "./vm/vm";

export async function replaceInstance(up: LabUp, opts: UpOptions, figures: LabFigures, log: (l: string) => void): Promise<{ results: CheckResult[]; instanceId: string }> {
  const results: CheckResult[] = [];
  log("replace: stopping the remote MX so an outbound message stays queued");
  stopRemote(log);
  // From the remote host, which no check has provoked fail2ban from.
  results.push(...(await runVerifyGroup(up.cfg, { group: "before-replace", from: "remote" }, log)));
  await shutdownVm(up.vm, log);
  const before = inspectDataDisk(labPaths.dataDisk());
  log(`replace: data volume ${before.label || "(no label)"} UUID ${before.uuid}, ${before.deferred} file(s) in the deferred queue`);
  startRemote(log, { keepMaildir: true });
  const { vm, ready, instanceId } = await bootUntilUp(up.cfg, up.image, up.boot, { ...opts, keepData: true }, log);
  figures.replacementBootToReadySeconds = Math.round(ready.seconds);
  results.push({ id: "replace-boot-ready", title: "a replacement instance boots on the same data volume and reports MAILFORT-READY", status: ready.ready ? "pass" : "fail", detail: ready.detail, seconds: Math.round(ready.seconds) });
  if (ready.ready) {
    const cert = await waitForAcmeCertificate(up.cfg, up.aws.acmeRootPem, 600);
    figures.replacementCertificateSeconds = Math.round(cert.seconds);
    results.push({ id: "replace-cert-acme", title: "the replacement instance gets its own ACME certificate through Route53 (same key)", status: cert.issued ? "pass" : "fail", detail: cert.detail, seconds: Math.round(cert.seconds) });
    results.push(...(await runVerifyGroup(up.cfg, { group: "after-replace", from: "sender" }, log)));
  }
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
  return { results, instanceId };
}

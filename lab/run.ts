// `npm run lab` (run): up, the AWS paths' checks (secrets from SSM, the ACME certificate), every
// verify group from its lab host, the containment of a hijacked account, the forced renewal, the
// metrics and alarms, the replacement, a DKIM rotation and then the induced faults on the replacement (each fault must set off
// exactly its alarm), least privilege over everything the host called
// and the negative controls; then down.
import { rmSync } from "node:fs";
import type { MailConfig } from "../infra/config";
import type { CheckResult } from "../verify/contract";
import type { LabAws } from "./aws/lab-aws";
import type { PlannedParameter } from "./aws/plan";
import { withParameters } from "./aws/policies";
import { SUSPENDED_SENDERS_METRIC } from "../infra/core/host-metrics";
import { bootChecks, keyTlsa, metricChecks, renewalCheck, roleChecks, waitAlarmState } from "./aws/report";
import { containmentCheck } from "./containment-check";
import { reportsCheck } from "./reports-check";
import { DANE_INBOUND_CHECKS, daneInboundChecks } from "./dane-inbound-check";
import { DNSSEC_CHECKS, dnssecChecks } from "./dnssec-check";
import { OUTBOUND_TLS_CHECKS, outboundTlsChecks } from "./outbound-tls-check";
import { tlsRptOutboundCheck } from "./tlsrpt-outbound-check";
import { dkimRotationPhase } from "./dkim-rotation-phase";
import { faultPhase } from "./faults/phase";
import { labCredential } from "./credentials";
import { guestHostFilesCheck } from "./host-files-check";
import { buildImage } from "./image/build";
import { labPaths } from "./paths";
import { type RunningInstance, replaceInstance } from "./replace";
import { ROTATION_RAN, rotationThenFaults } from "./rotation-then-faults";
import { labStackConfig, labStackFile } from "./stack";
import { type LabFigures, type UpOptions, labDown, labUp } from "./runner";
import { runVerifyGroup } from "./verify-run";
import { vmHealth } from "./vm/health";
import { type RunningVm, guestMemoryUsedMb } from "./vm/vm";
import { measureWebmailMemory } from "./webmail-memory";

export interface LabReport {
  readonly results: CheckResult[];
  readonly figures: LabFigures;
}

/** The mailbox the fault phase's password guesser aims at (with a wrong password). */
const FAULT_LOGIN = "bob@mailfort.test";

const failed = (id: string, title: string, e: unknown): CheckResult => ({ id, title, status: "fail", detail: e instanceof Error ? e.message : String(e), seconds: 0 });

/** The stack's own TLSA from outside (lab/dane-inbound-check.ts); the lab stack publishes it (features.dnssec). */
async function inboundDane(cfg: MailConfig, aws: LabAws, trustAnchors: readonly string[], log: (l: string) => void): Promise<CheckResult[]> {
  if (!cfg.features.dnssec) {
    return [failed(DANE_INBOUND_CHECKS.own.id, DANE_INBOUND_CHECKS.own.title, "the lab stack does not set features.dnssec, so it publishes no TLSA record to check: set it in stacks/Pulumi.lab.yaml")];
  }
  return daneInboundChecks(cfg, keyTlsa(aws), trustAnchors, log)
    .catch((e: unknown) => [failed(DANE_INBOUND_CHECKS.own.id, DANE_INBOUND_CHECKS.own.title, e)]);
}

const VM_HEALTHY = { id: "lab-vm-healthy", title: "the lab VM is still running and on the network after each phase of the run" } as const;

/**
 * Between phases: is the VM still there? If not, the report says so (qemu's state and the serial
 * console's evidence) and the phases that need the VM are skipped, rather than each check after
 * it failing on an unreachable host and the run ending without a report.
 */
async function stillHealthy(vm: RunningVm, phase: string, passed: string[], results: CheckResult[], log: (l: string) => void): Promise<boolean> {
  const h = await vmHealth(vm);
  if (h.healthy) {
    passed.push(phase);
    return true;
  }
  log(`vm: NOT HEALTHY after ${phase}: ${h.detail}`);
  results.push({ ...VM_HEALTHY, status: "fail", detail: `after ${phase}: ${h.detail}${passed.length > 0 ? ` (healthy after ${passed.join(", ")})` : ""}`, seconds: 0 });
  return false;
}

export async function labRun(opts: UpOptions & { readonly keepUp?: boolean }, log: (l: string) => void): Promise<LabReport> {
  const started = Date.now();
  const results: CheckResult[] = [];
  const figures: LabFigures = { imageBuildSeconds: 0, imageCached: false };
  // A blank data volume: nothing the webmail checks enrolled before is valid any more.
  rmSync(labPaths.webmailState(), { force: true });
  rmSync(labPaths.screenshots(), { recursive: true, force: true });
  try {
    // The replacement boots an image with only what Debian's EC2 image holds; built (or reused)
    // before the first boot, so a cold build does not share the cores with the running VM.
    const ec2Image = opts.replace ? await buildImage(labStackConfig(), log, "ec2") : undefined;
    if (ec2Image) figures.ec2ImageBuildSeconds = ec2Image.buildSeconds;
    const up = await labUp(opts, log);
    figures.imageBuildSeconds = up.image.buildSeconds;
    figures.imageCached = up.image.cached;
    figures.bootToReadySeconds = Math.round(up.ready.seconds);
    figures.certificateSeconds = Math.round(up.certificate.seconds);
    figures.accelerator = up.vm.accelerator;
    results.push({ id: "lab-boot-ready", title: "the VM boots the synthesized user data and reports MAILFORT-READY", status: up.ready.ready ? "pass" : "fail", detail: up.ready.detail, seconds: figures.bootToReadySeconds });
    log(`vm: ${up.ready.ready ? "READY" : "NOT READY"} after ${figures.bootToReadySeconds} s`);
    let instanceId = up.instanceId;
    /** The SSM parameters the DKIM rotation put besides the stack's (its new keys). */
    let rotationParameters: readonly PlannedParameter[] = [];
    if (up.ready.ready) {
      results.push(await guestHostFilesCheck(labPaths.synthOut()));
      results.push(...(await dnssecChecks(up.cfg).catch((e: unknown) => [failed(DNSSEC_CHECKS.validated.id, DNSSEC_CHECKS.validated.title, e)])));
      results.push(...bootChecks(up.cfg, up.aws, opts.secretsDisk === true));
      const verifyStarted = Date.now();
      results.push(...(await runVerifyGroup(up.cfg, { group: "client", from: "sender" }, log)));
      // testssl.sh from the scanner (its connections spread over an ignoreIps pool), side by side
      // with the hostile groups, from addresses that neither fail2ban nor the other checks look at.
      // Not beside the client group as well: the run is bound by the two cores, and that made the
      // verify phase longer, not shorter (716 s against 624 s, 2026-12-03).
      // At a lower CPU priority: testssl is minutes of bash and openssl on the host's two cores,
      // which the VM's vCPU threads need while the attacker group times its bans (beside it, IMAP
      // guesses took 4 s each in one run and 20 s in CI's of 2026-12-04, where an SMTP AUTH answer
      // also missed Postfix's 10 s and the SMTP ban check failed).
      const testssl = runVerifyGroup(up.cfg, { group: "testssl", from: "scanner", background: true }, log);
      testssl.catch(() => undefined);
      // Outbound TLS (DANE, MTA-STS, opportunistic) from the guest's own Postfix, the TLS reports
      // the server sends about it, then the server's own TLSA checked by an outside DANE client, then a DMARC report from the remote
      // MX through the spool and the reader, while testssl waits.
      const outboundAndReports = outboundTlsChecks(log)
        .catch((e: unknown) => [failed(OUTBOUND_TLS_CHECKS.dane.id, OUTBOUND_TLS_CHECKS.dane.title, e)])
        // The TLS reports about those four deliveries, sent and read where they arrive.
        .then(async (r) => [...r, await tlsRptOutboundCheck(up.cfg, log)])
        .then(async (r) => [...r, ...(await inboundDane(up.cfg, up.aws, up.boot.trustAnchors ?? [], log))])
        .then(async (r) => [...r, await reportsCheck(up.cfg, log)]);
      for (const g of [
        { group: "attacker" as const, from: "attacker" as const },
        { group: "after-attack" as const, from: "sender" as const },
        // Spread over the sender's probe addresses, so no address reaches maxRetry refusals.
        { group: "client-relay" as const, from: "sender" as const },
      ]) {
        results.push(...(await runVerifyGroup(up.cfg, g, log)));
      }
      results.push(...(await testssl), ...(await outboundAndReports));
      figures.verifySeconds = Math.round((Date.now() - verifyStarted) / 1000);
      const healthyAfter: string[] = [];
      // A VM found dead or silent ends the phases that need it; the role checks still run.
      phases: {
        if (!(await stillHealthy(up.vm, "the verify groups", healthyAfter, results, log))) break phases;
        // A hijacked account contained: carol, whose hourly limit limit-outbound-per-user has spent,
        // sends in a loop until the server suspends her; lifted again before the checks after it.
        const suspendedAlarm = (want: "ALARM" | "OK") => () => waitAlarmState(up.aws, up.instanceId, SUSPENDED_SENDERS_METRIC, want, 240_000);
        results.push(await containmentCheck(up.cfg, labCredential("carol@second.test"), labCredential("bob@mailfort.test"), { fired: suspendedAlarm("ALARM"), cleared: suspendedAlarm("OK") }, log));
        // After the checks: minutes of metrics, and a renewal that cannot disturb a check.
        results.push(await renewalCheck(up.cfg, up.aws).catch((e: unknown) => failed("aws-cert-renewal-keeps-key", "a forced renewal keeps the key", e)));
        results.push(...(await metricChecks(up.aws, up.instanceId).catch((e: unknown) => [failed("aws-metrics-published", "the alarms' metrics arrive", e)])));
        if (!(await stillHealthy(up.vm, "the renewal and the metrics", healthyAfter, results, log))) break phases;
        figures.memoryUsedMb = await guestMemoryUsedMb(up.vm).catch(() => undefined);
        if (up.cfg.features.webmail) {
          // A failed measurement is a failed check, not the end of the run: the replacement still runs.
          try {
            const m = await measureWebmailMemory(up.cfg, log);
            figures.webmailMemoryAtRestMb = m.atRestMb;
            figures.webmailMemoryWithSessionMb = m.withSessionMb;
            results.push(...m.results);
          } catch (e) {
            results.push(failed("webmail-session-hold", "one signed-in webmail session while PHP-FPM's memory is measured", e));
          }
        }
        if (!(await stillHealthy(up.vm, "the webmail's memory measurement", healthyAfter, results, log))) break phases;
        results.push({ ...VM_HEALTHY, status: "pass", detail: `healthy after ${healthyAfter.join(", ")}`, seconds: 0 });
        // Last, on the instance then running (the replacement, before it is powered off): a DKIM
        // rotation, then the induced faults (lab/rotation-then-faults.ts says why in that order and
        // there). The faults leave a full queue and a listed address behind, which no check after
        // them has to live with.
        const lastPhases = async (running: RunningInstance): Promise<CheckResult[]> => {
          const rotation = async (): Promise<CheckResult[]> => {
            // The rotation goes through SSM, which a --secrets-disk run does not have.
            if (opts.secretsDisk === true) return [{ ...ROTATION_RAN, status: "skip", detail: "--secrets-disk: no SSM to rotate the keys through", seconds: 0 }];
            const r = await dkimRotationPhase({ cfg: up.cfg, aws: up.aws, userData: running.userData, stackFile: running.stackFile }, log);
            rotationParameters = r.putParameters;
            return r.results;
          };
          const faults = () => faultPhase(up.cfg, up.aws, running.instanceId, FAULT_LOGIN, log)
            .catch((e: unknown) => [failed("alarm-faults-only-matching", "the induced faults set off exactly their alarms", e)]);
          const r = await rotationThenFaults(rotation, faults);
          figures.dkimRotationSeconds = r.rotationSeconds;
          figures.faultsSeconds = r.faultsSeconds;
          return r.results;
        };
        if (ec2Image) {
          try {
            const replaced = await replaceInstance(up, ec2Image, opts, figures, log, lastPhases);
            results.push(...replaced.results);
            instanceId = replaced.instanceId;
          } catch (e) {
            results.push(failed("replace-instance", "the replacement and the restore run to their end", e));
          }
        } else {
          results.push(...(await lastPhases({ instanceId, userData: up.boot.userData, stackFile: labStackFile() })));
        }
      }
      // Judged against everything the account held: the stack's parameters and the rotation's.
      results.push(...(await roleChecks(up.cfg, withParameters(up.aws, rotationParameters), instanceId).catch((e: unknown) => [failed("aws-iam-calls-allowed", "least privilege", e)])));
    }
  } finally {
    if (!opts.keepUp) await labDown(log).catch((e: unknown) => log(`down: ${e instanceof Error ? e.message : String(e)}`));
  }
  figures.totalSeconds = Math.round((Date.now() - started) / 1000);
  return { results, figures };
}

// The lab end to end: `npm run lab -- run --report <file>` boots the synthesized server in a
// Debian 13 VM on a closed network, runs every verify check (testssl.sh included), snapshots the
// live data volume, replaces the instance onto a volume restored from that snapshot, recovers the
// later mail, checks again, and tears down. `npm test` runs this file after all the others
// (package.json), so the VM does not share the two cores with them (side by side, 2026-12-03, checks timed out).
// It needs root (namespaces, qemu); the lab installs its Debian tools itself. Under CI=true a
// missing prerequisite fails; elsewhere the test skips loudly.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../verify/types";

const isRoot = process.getuid?.() === 0;
const inCi = process.env.CI === "true";
const canRun = isRoot || inCi;
if (!canRun) console.warn("SKIPPING the lab test: it needs root (network namespaces, qemu). Run `sudo npm test`, or `sudo npm run lab` alone.");

/** What a lab run is expected to take under TCG on 2 quiet cores (printed, not asserted: a figure):
 * two boots (the replacement installs Postfix and nginx at boot), the AWS
 * emulators' checks, the webmail's browser checks (client, attacker, the measured session, after
 * the replacement and the restore), the restore. */
const LAB_BUDGET_MS = 50 * 60_000;
/** A run still going after this is hung: stop it so CI (90 minutes in all, the install a few of
 * them; the other suites run beside the lab and end long before it) reports why. 75 minutes was
 * too tight on 2026-12-03: a run on a fresh clone with both images built cold (21 minutes) and the
 * other suites beside its first boot was stopped in its restore checks. */
const LAB_CEILING_MS = 84 * 60_000;

describe("npm run lab", () => {
  it.skipIf(!canRun)(
    "boots the lab server, passes every check, keeps the mail across a replacement and a restore, and tears down",
    () => {
      expect(isRoot, "the lab needs root").toBe(true);
      const report = join(mkdtempSync(join(tmpdir(), "mailfort-lab-")), "report.json");
      const started = Date.now();
      // One process (node with tsx's loader, no npx or shell between): at the ceiling the SIGTERM
      // reaches the lab itself, which tears the VM and the emulators down before it exits.
      const r = spawnSync(process.execPath, ["--import", "tsx", "tools/lab.ts", "run", "--report", report], {
        cwd: join(__dirname, "..", ".."),
        encoding: "utf8",
        timeout: LAB_CEILING_MS,
        // Progress (stderr) streams into the CI log as it happens; the report (stdout) is kept.
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 64 * 1024 * 1024,
      });
      const minutes = (Date.now() - started) / 60_000;
      // The report and the figures are the evidence: show them in the CI log.
      console.log(`${r.stdout}\nlab test: ${minutes.toFixed(1)} min (budget ${LAB_BUDGET_MS / 60_000})`);
      const stopped = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT" ? `stopped at the ${LAB_CEILING_MS / 60_000}-minute ceiling, ` : "";
      expect(existsSync(report), `the lab wrote no report (${stopped}exit ${r.status}${r.signal ? `, ${r.signal}` : ""}); its progress is in the log above`).toBe(true);
      // The report names the accelerator that ran, and why (KVM where a test guest runs under it).
      expect(r.stdout).toMatch(/^figures: (KVM: a test guest ran under KVM|TCG: .+)$/m);
      const results = JSON.parse(readFileSync(report, "utf8")) as CheckResult[];
      const failed = results.filter((x) => x.status !== "pass").map((x) => `${x.status} ${x.id}: ${x.detail}`);
      expect(failed).toEqual([]);

      const ids = results.map((x) => x.id);
      for (const id of [
        "lab-boot-ready",
        "lab-vm-healthy",
        "lab-host-files",
        // The lab's zones DNSSEC-signed, validated by the VM's unbound; a broken signature refused.
        "lab-dnssec-validated",
        "lab-dnssec-bogus-refused",
        "outbound-tls-dane",
        "outbound-tls-mta-sts-valid",
        "outbound-tls-mta-sts-wrong-cert-deferred",
        "outbound-tls-opportunistic",
        // The TLS reports (RFC 8460) the server sends about those deliveries, read where they arrive.
        "tlsrpt-outbound-reports",
        // The server's own TLSA (features.dnssec) verified by an outside DANE client (posttls-finger)
        // through the MX, and the same client refusing the server under a TLSA for another key.
        "dane-inbound-own-tlsa",
        "dane-inbound-wrong-tlsa-refused",
        // A DMARC report from the remote MX: spooled by Postfix, read by the reader's own unit.
        "reports-dmarc-received",
        "dns-ptr-fcrdns",
        "auth-no-send-as-other",
        "limit-connection-flood-25",
        "content-dmarc-forgery",
        "delivery-inbound-imap",
        "delivery-outbound-authenticated",
        "bruteforce-ban-smtp",
        "bruteforce-ban-imap",
        "bruteforce-others-unaffected",
        "replace-boot-ready",
        "replace-not-reformatted",
        // The security model's reputation and rate protections, each against the lab's own
        // listed address, listed link host and a limit small enough to reach.
        "reputation-dnsbl-listed-client",
        "reputation-surbl-listed-link",
        "limit-outbound-per-user",
        // A hijacked account suspended automatically, the others unaffected, lifted by the operator's command.
        "lab-containment",
        // The AWS-only paths against the lab's emulators, and the controls that make them fail.
        "aws-secrets-ssm",
        "aws-cert-acme-dns01",
        "aws-cert-renewal-keeps-key",
        "aws-metrics-published",
        // A DMARC aggregate report from the remote MX, read on the server (docs/reports.md).
        "aws-alarms-healthy",
        "aws-iam-calls-allowed",
        "aws-iam-grants-used",
        "aws-control-ssm-without-getparametersbypath",
        "aws-control-route53-other-name",
        "aws-control-metric-wrong-dimension",
        "replace-cert-acme",
        "replace-packages-at-boot",
        // The restore folded into the replacement: live snapshot, later mail, restored boot, recovery.
        "restore-snapshot-live",
        "restore-after-snapshot-mail",
        "restore-user-data",
        "restore-mail-byte-for-byte",
        "restore-recover-ran",
        "restore-late-mail-byte-for-byte",
        "restore-previous-detached",
        "restore-late-mail-recovered",
        "restore-late-queue-delivered",
        // The webmail: TLS front door, browser enrolment of the second factor, no mail for a
        // password alone, app passwords, the bans, the measured session, and all of it kept
        // across the replacement.
        "webmail-https",
        "webmail-totp-enrol-browser",
        "webmail-password-alone-no-mail",
        "webmail-app-passwords",
        "webmail-bruteforce-login",
        "webmail-bruteforce-totp",
        "webmail-others-unaffected",
        "webmail-session-hold",
        "webmail-replace-kept",
        // A DKIM rotation on the replacement before the faults: four steps, none replacing the
        // instance, the host's signing map following each, mail signed with each step's selector
        // verifying at the remote MX, and a message queued across the switch still verifying.
        ...["published", "signing", "revoked", "steady"].flatMap((step) => [`dkim-rotation-${step}-no-replacement`, `dkim-rotation-${step}-host-map`]),
        ...["published", "signing", "steady"].map((step) => `dkim-rotation-signs-with-${step}`),
        "dkim-rotation-queued-before-switch",
        "dkim-rotation-queued-across-switch",
        // Induced faults on the replacement, side by side: each sets off exactly its alarm.
        "alarm-fault-data-disk-full",
        "alarm-fault-dnsbl-listed",
        "alarm-fault-queue-pile-up",
        "alarm-fault-smtp-failed-logins",
        "alarm-fault-imap-failed-logins",
        "alarm-fault-cert-near-expiry",
        "alarm-faults-only-matching",
      ]) {
        expect(ids).toContain(id);
      }
      for (const port of [25, 465, 587, 993, 443]) expect(ids).toContain(`testssl-${port}`);
      // Every relay trick was really tried: refused by the server with an SMTP reply, never
      // "could not connect" (that fails the check itself, but count the evidence too).
      for (const who of ["client", "attacker"]) {
        const tried = results.filter((x) => x.id.startsWith(`relay-${who}-`) && /-> [45]\d\d |refused at (connect|EHLO|MAIL)/.test(x.detail));
        expect(tried.length, `relay tricks from ${who} refused with an SMTP reply`).toBeGreaterThanOrEqual(20);
      }
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^image .*boot-to-ready \d+ s \(replacement \d+ s\), ACME certificate \d+ s after readiness \(replacement \d+ s\).*faults \d+ s, DKIM rotation \d+ s, VM memory used after checks \d+ MiB, webmail \(PHP-FPM PSS\) [\d.]+ MiB at rest, [\d.]+ MiB with one session/m);
      // Torn down: no lab namespace and no qemu of ours left behind.
      const ns = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
      expect(ns).not.toMatch(/mflab-/);
    },
    LAB_CEILING_MS + 2 * 60_000,
  );
});

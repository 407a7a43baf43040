// The verify suite: which checks exist, grouped by the vantage point they need, and running a
// selection of them with timing. In the lab, each group runs in its own network namespace
// (sender, attacker); against a real server they all run from wherever verify runs.
import { authChecks } from "./checks/auth";
import { bruteForceChecks, othersUnaffectedCheck } from "./checks/bruteforce";
import { contentChecks } from "./checks/content";
import { deliveryChecks } from "./checks/delivery";
import { dkimRotationChecks } from "./checks/dkim-rotation";
import { fcrdnsCheck, mtaStsPolicyChecks, recordChecks } from "./checks/dns";
import { floodCheck, limitChecks } from "./checks/limits";
import { outboundPerUserLimitCheck } from "./checks/outbound-rate";
import { relayChecks } from "./checks/relay";
import { dnsblListedClientCheck, surblListedLinkCheck } from "./checks/reputation";
import { afterReplaceChecks, beforeReplaceCheck } from "./checks/replacement";
import { afterRecoveryChecks, afterSnapshotCheck } from "./checks/restore";
import { testsslChecks } from "./checks/testssl";
import { tlsChecks } from "./checks/tls";
import { webmailAppPasswordCheck, webmailEnrolCheck, webmailReplaceCheck, webmailSessionCheck } from "./checks/webmail";
import { webmailBruteForceChecks, webmailOthersUnaffectedCheck } from "./checks/webmail-bruteforce";
import { webmailHttpsCheck } from "./checks/webmail-https";
import { passwordAloneCheck } from "./checks/webmail-password-alone";
import type { Group } from "./contract";
import { type Check, CheckFailed, type CheckResult, CheckSkipped, type VerifyTarget } from "./types";

/** The webmail's checks of a group, when the server has a webmail. */
function webmail(t: VerifyTarget, checks: readonly Check[]): Check[] {
  return t.webmail ? [...checks] : [];
}

export function checksFor(t: VerifyTarget, group: Group): Check[] {
  switch (group) {
    case "client":
      return [
        ...recordChecks(t.expectedRecords ?? []),
        fcrdnsCheck,
        ...mtaStsPolicyChecks(t.domains),
        ...tlsChecks(t),
        ...authChecks,
        ...limitChecks,
        ...contentChecks,
        surblListedLinkCheck,
        ...deliveryChecks,
        outboundPerUserLimitCheck,
        // After delivery, so the inbox the browser opens has the message the checks delivered.
        ...webmail(t, [webmailHttpsCheck, webmailEnrolCheck, passwordAloneCheck, webmailAppPasswordCheck]),
      ];
    case "testssl":
      // Needs testssl.sh (Debian: testssl.sh) on the machine verify runs on; minutes per port.
      return testsslChecks(t);
    case "client-relay":
      // Its own group, run last: fail2ban counts relay refusals, so the battery spreads its
      // tricks over the --source-address values (without them, this client may get banned).
      return relayChecks("client", 0);
    case "attacker":
      // Order matters. The DNSBL probe and then the password guessing run first, from this
      // client's own address (the one the DNSBL lists), which nothing has banned yet. The two
      // floods and the relay battery each get their own --source-address slots: a flood gets its
      // address banned, and so would a whole battery.
      return [dnsblListedClientCheck, ...bruteForceChecks, floodCheck(587, 0), floodCheck(25, 1), ...relayChecks("attacker", 2), ...webmail(t, webmailBruteForceChecks)];
    case "after-attack":
      return [othersUnaffectedCheck, ...webmail(t, [webmailOthersUnaffectedCheck])];
    case "webmail-session":
      // The lab measures the webmail's memory while this session is open.
      return webmail(t, [webmailSessionCheck]);
    case "before-replace":
      return [beforeReplaceCheck];
    case "after-snapshot":
      return [afterSnapshotCheck];
    case "after-replace":
      return [...afterReplaceChecks, ...deliveryChecks.filter((c) => c.id === "delivery-outbound-authenticated"), ...webmail(t, [webmailReplaceCheck])];
    case "after-recovery":
      return afterRecoveryChecks;
    case "dkim-rotation":
      // Run at each step of a DKIM rotation (docs/dkim-rotation.md) with --dkim-selector set to
      // the selector that step signs with.
      return dkimRotationChecks;
    case "after-restore":
      // The client checks once more, on a server restored within the hour, but one: the outbound
      // limit's victim used up its hourly budget in the first run, and a restore brings Rspamd's
      // Redis (the budget) back with the mail, as it should. Nor the webmail's first enrolment: the
      // restore brought the enrolled second factor back too (after-replace's webmail-replace-kept).
      return checksFor(t, "client").filter((c) => c !== outboundPerUserLimitCheck && c !== webmailEnrolCheck);
  }
}

const PER_CHECK_TIMEOUT_MS = 300_000;

async function runCheck(t: VerifyTarget, c: Check): Promise<CheckResult> {
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 100) / 10;
  let timer: NodeJS.Timeout | undefined;
  try {
    const detail = await Promise.race([
      c.run(t),
      new Promise<never>((_, reject) => {
        const limit = c.timeoutMs ?? PER_CHECK_TIMEOUT_MS;
        timer = setTimeout(() => reject(new CheckFailed(`no result within ${limit / 1000} s`)), limit);
      }),
    ]);
    return { id: c.id, title: c.title, status: "pass", detail, seconds: seconds() };
  } catch (e) {
    if (e instanceof CheckSkipped) return { id: c.id, title: c.title, status: "skip", detail: e.message, seconds: seconds() };
    const detail = e instanceof CheckFailed ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`;
    return { id: c.id, title: c.title, status: "fail", detail, seconds: seconds() };
  } finally {
    clearTimeout(timer);
  }
}

export async function runChecks(t: VerifyTarget, checks: readonly Check[], onResult: (r: CheckResult) => void): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const c of checks) {
    const r = await runCheck(t, c);
    onResult(r);
    out.push(r);
  }
  return out;
}

export function formatResult(r: CheckResult): string {
  const mark = r.status === "pass" ? "PASS" : r.status === "fail" ? "FAIL" : "SKIP";
  return `${mark} ${r.id.padEnd(34)} ${r.seconds.toFixed(1).padStart(6)}s  ${r.title} — ${r.detail.replace(/\s*\n\s*/g, " ")}`;
}

// reports-dmarc-received: the remote MX (remote.test, real Postfix) mails a DMARC aggregate report
// (RFC 7489, gzip XML, as receivers send it) about the stack's first mail domain to that domain's
// report address; the server's Postfix spools it, the path unit starts the reader on the spool, and the operator's
// command on the server (`mailfort-reports summary --json`, read through the guest agent) must
// show the report's domain, the server's own address counted as its own source, and the forged
// source as spoofing stopped by p=reject. The report fails nothing of ours: the report_alerts
// alarm must stay quiet for the checks after it.
import { gzipSync } from "node:zlib";
import MailComposer from "nodemailer/lib/mail-composer";
import type { MailConfig } from "../infra/config";
import { REPORT_ACCOUNTS, mailDomains } from "../infra/config";
import { dmarcXml } from "../reports/dmarc-sample";
import type { CheckResult } from "../verify/contract";
import { remoteFlush, remoteSendmail } from "./remote/postfix";
import { REMOTE_DOMAIN, labHost } from "./topology";
import { guestShell } from "./vm/guest-agent";

export const REPORTS_CHECK = {
  id: "reports-dmarc-received",
  title: "a DMARC aggregate report mailed by the remote MX to the report address is spooled by Postfix, read by the reader's own unit on the server, and shows in `mailfort-reports summary`: the domain, the server as its own source, the forged source as spoofing stopped",
} as const;

/** A documentation address (RFC 5737) no lab host has: the source that forged the domain. */
export const LAB_SPOOFER = "203.0.113.99";

/** What the summary says, as far as the check judges it. */
export interface ReportsSummaryEvidence {
  readonly own: readonly string[];
  readonly alerts: readonly unknown[];
  readonly spoofing: ReadonlyArray<{ readonly domain: string; readonly ip: string; readonly verdict: string }>;
  readonly domains: ReadonlyArray<{ readonly domain: string; readonly dmarc?: { readonly sources: ReadonlyArray<{ readonly ip: string; readonly own: boolean; readonly messages: number }> } }>;
}

/** Every problem with the summary, or none: the report of `domain` is in it, as sent. */
export function judgeReportsSummary(s: ReportsSummaryEvidence, domain: string, server: string): string[] {
  const problems: string[] = [];
  const d = s.domains.find((x) => x.domain === domain);
  if (d?.dmarc === undefined) return [`no DMARC report for ${domain} in the summary (domains: ${s.domains.map((x) => x.domain).join(", ") || "none"})`];
  const own = d.dmarc.sources.find((x) => x.ip === server);
  if (own === undefined) problems.push(`the server's address ${server} is not among ${domain}'s sources`);
  else if (!own.own) problems.push(`the server's address ${server} is not counted as an own source (own: ${s.own.join(", ") || "none"})`);
  const spoof = s.spoofing.find((x) => x.domain === domain && x.ip === LAB_SPOOFER);
  if (spoof === undefined) problems.push(`the forged source ${LAB_SPOOFER} is not listed as spoofing of ${domain}`);
  else if (!spoof.verdict.startsWith("spoofing stopped by p=reject")) problems.push(`the forged source's verdict is "${spoof.verdict}"`);
  if (s.alerts.length > 0) problems.push(`${s.alerts.length} alert(s), though the report fails nothing of ours: ${JSON.stringify(s.alerts).slice(0, 300)}`);
  return problems;
}

/** The report mail as a receiver's MTA sends it: one gzip attachment named as RFC 7489 7.2.1.1 says. */
async function reportMail(domain: string, to: string, server: string, now: number): Promise<string> {
  const begin = now - 86_400;
  const xml = dmarcXml({ domain, org: REMOTE_DOMAIN, reportId: `lab-${now}`, begin, end: now - 60, records: [
    { ip: server, count: 7, dkim: "pass", spf: "pass" },
    { ip: LAB_SPOOFER, count: 3, dkim: "fail", spf: "fail", disposition: "reject" },
  ] });
  const mail = await new MailComposer({
    from: `noreply-dmarc@${REMOTE_DOMAIN}`, to, subject: `Report Domain: ${domain} Submitter: ${REMOTE_DOMAIN} Report-ID: lab-${now}`,
    text: "This is an aggregate report from remote.test.",
    attachments: [{ filename: `${REMOTE_DOMAIN}!${domain}!${begin}!${now - 60}.xml.gz`, contentType: "application/gzip", content: gzipSync(xml) }],
  }).compile().build();
  return mail.toString("utf8");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function reportsCheck(cfg: MailConfig, log: (l: string) => void, timeoutMs = 360_000): Promise<CheckResult> {
  const started = Date.now();
  const result = (status: "pass" | "fail", detail: string): CheckResult => ({ ...REPORTS_CHECK, status, detail, seconds: Math.round((Date.now() - started) / 1000) });
  const domain = mailDomains(cfg)[0]?.name;
  if (domain === undefined) return result("fail", "the lab stack has no mail domain");
  const to = `${REPORT_ACCOUNTS.dmarc}@${domain}`;
  const server = labHost("mail").address;
  try {
    remoteSendmail(`noreply-dmarc@${REMOTE_DOMAIN}`, to, await reportMail(domain, to, server, Math.floor(Date.now() / 1000)));
    log(`reports: the remote MX sent a DMARC aggregate report for ${domain} to ${to}`);
    let problems: string[] = ["not read yet"];
    while (Date.now() - started < timeoutMs) {
      await sleep(15_000);
      remoteFlush();
      const summary = JSON.parse(await guestShell("mailfort-reports summary --json")) as ReportsSummaryEvidence;
      problems = judgeReportsSummary(summary, domain, server);
      if (problems.length === 0) return result("pass", `in the summary after ${Math.round((Date.now() - started) / 1000)} s: ${domain}, own source ${server}, ${LAB_SPOOFER} as spoofing stopped by p=reject, no alert`);
      if (!problems[0]!.startsWith("no DMARC report")) break;
    }
    // Where the mail got to: the queue, the spool, the mails held back, the reader unit's journal.
    const where = await guestShell(
      "postqueue -p | tail -n 3; ls /srv/mailfort/reports/incoming /srv/mailfort/reports/held; systemctl is-active mailfort-reports-ingest.path; journalctl -u mailfort-reports-ingest -n 5 --no-pager -o cat",
    ).catch((e: unknown) => `(not read: ${e instanceof Error ? e.message : String(e)})`);
    return result("fail", `${problems.join("; ")}; on the server: ${where.replace(/\s+/g, " ").trim().slice(0, 600)}`);
  } catch (e) {
    return result("fail", e instanceof Error ? e.message : String(e));
  }
}

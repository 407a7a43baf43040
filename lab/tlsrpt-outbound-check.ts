// tlsrpt-outbound-reports: the TLS reports (RFC 8460) the server sends about its own deliveries.
// Runs after the outbound TLS checks (lab/outbound-tls-check.ts), whose four messages made Postfix
// send a TLSRPT event each to mailfort-tlsrpt-collect (every receiver's zone publishes
// `_smtp._tls` with rua=mailto:tlsrpt@sts-valid.test). The check starts the daily unit itself,
// for today instead of yesterday (the unit's MAILFORT_TLSRPT_DAY, through systemd's manager
// environment: the unit runs with its own sandbox, as the timer would start it), and then reads
// the reports where they arrive, the receivers' maildir, with this host's own report reader:
//   sts-wrong.test   sts, the certificate-host-mismatch failure the deferred message met
//   sts-valid.test   sts, successful sessions, no failure
//   dane.test        tlsa, successful sessions
//   plain.test       no-policy-found, successful sessions
// and each report mail DKIM-signed by the server for the stack's first mail domain.
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MailConfig, mailDomains } from "../infra/config";
import { DEFAULT_LIMITS, ingest, loadStore } from "../reports";
import type { TlsReport } from "../reports/tlsrpt-schema";
import type { CheckResult } from "../verify/contract";
import { TLS_RECEIVERS, type ReceiverKind } from "./remote/outbound-tls-receivers";
import { tlsMaildir } from "./remote/tls-mxes";
import { guestExec, guestShell } from "./vm/guest-agent";
import { runGuestUnit } from "./vm/guest-unit";

export const TLSRPT_OUTBOUND_CHECK = {
  id: "tlsrpt-outbound-reports",
  title: "the server sends TLS reports (RFC 8460) to the receivers' _smtp._tls rua: the MTA-STS certificate mismatch reported as such, DANE, MTA-STS and opportunistic sessions as successful, each report DKIM-signed",
} as const;

/** For the reports to arrive once the unit has run. */
const ARRIVAL_TIMEOUT_MS = 180_000;
/** For the unit's run: beside the attacker and testssl groups under TCG it took about 120 s (CI, 2026-12-03). */
const SEND_TIMEOUT_MS = 600_000;

/** What each receiver's report must say. */
const EXPECTED: Readonly<Record<ReceiverKind, { readonly type: string; readonly failure?: string }>> = {
  "sts-wrong": { type: "sts", failure: "certificate-host-mismatch" },
  "sts-valid": { type: "sts" },
  dane: { type: "tlsa" },
  opportunistic: { type: "no-policy-found" },
};

/** Every problem with the reports found, or none. */
export function judgeOutboundReports(reports: readonly TlsReport[], signedBy: ReadonlyMap<string, string>, firstDomain: string): string[] {
  const problems: string[] = [];
  for (const r of TLS_RECEIVERS) {
    const want = EXPECTED[r.kind];
    // For DANE the policy domain is the MX host's (the TLSA record's base domain), as Postfix reports it.
    const ours = (d: string) => d === r.domain || d === r.mx;
    const report = reports.find((x) => x.policies.some((p) => ours(p.policy["policy-domain"])));
    if (report === undefined) {
      problems.push(`no report for ${r.domain}`);
      continue;
    }
    const p = report.policies.find((x) => ours(x.policy["policy-domain"]) && x.policy["policy-type"] === want.type);
    if (p === undefined) {
      problems.push(`${r.domain}: no ${want.type} policy in the report (${report.policies.map((x) => x.policy["policy-type"]).join(", ")})`);
      continue;
    }
    const s = p.summary;
    if (want.failure !== undefined) {
      const d = p["failure-details"]?.find((x) => x["result-type"] === want.failure);
      if (s["total-failure-session-count"] < 1 || d === undefined) problems.push(`${r.domain}: expected a ${want.failure} failure, the report says ${JSON.stringify({ summary: s, failures: p["failure-details"] ?? [] })}`);
      else if (d["receiving-mx-hostname"] !== r.mx) problems.push(`${r.domain}: the failure names MX ${d["receiving-mx-hostname"] ?? "none"}, not ${r.mx}`);
    } else if (s["total-successful-session-count"] < 1 || s["total-failure-session-count"] !== 0) {
      problems.push(`${r.domain}: expected successful sessions and no failure, the report says ${JSON.stringify(s)}`);
    }
    const d = signedBy.get(r.domain);
    if (d !== firstDomain) problems.push(`${r.domain}: the report mail is ${d === undefined ? "not DKIM-signed" : `signed for d=${d}`}, expected d=${firstDomain}`);
  }
  return problems;
}

/** The report mails in the receivers' maildir that arrived since `since` (ms): TLS-Report-Domain -> the raw mail. */
function reportMails(since: number): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  for (const sub of ["new", "cur"]) {
    const dir = join(tlsMaildir(), sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      // Whole seconds: the maildir's clock and ours are the same host's.
      if (statSync(join(dir, f)).mtimeMs < Math.floor(since / 1000) * 1000) continue;
      const raw = readFileSync(join(dir, f));
      const m = /^TLS-Report-Domain: (\S+)\r?$/im.exec(raw.toString("latin1"));
      if (m?.[1]) found.set(m[1].toLowerCase(), raw);
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function tlsRptOutboundCheck(cfg: MailConfig, log: (l: string) => void): Promise<CheckResult> {
  const started = Date.now();
  const result = (status: "pass" | "fail", detail: string): CheckResult => ({ ...TLSRPT_OUTBOUND_CHECK, status, detail, seconds: Math.round((Date.now() - started) / 1000) });
  const firstDomain = mailDomains(cfg)[0]?.name ?? "";
  try {
    const collector = await guestExec(["systemctl", "is-active", "mailfort-tlsrpt-collect.service"]);
    if (collector.stdout.trim() !== "active") return result("fail", `mailfort-tlsrpt-collect is ${collector.stdout.trim() || "not known"}: ${await guestShell("journalctl -u mailfort-tlsrpt-collect -n 5 --no-pager -o cat || true")}`);
    const sendStarted = Date.now();
    const events = (await guestShell(". /etc/mailfort/reports-settings && wc -l <\"$MAILFORT_TLSRPT_EVENTS/$(date -u +%F).jsonl\" 2>/dev/null || echo 0")).trim();
    const send = await runGuestUnit("mailfort-tlsrpt-send.service", { MAILFORT_TLSRPT_DAY: "today" }, SEND_TIMEOUT_MS);
    const sentAt = Date.now();
    const unitLog = await guestShell("journalctl -u mailfort-tlsrpt-send -n 8 --no-pager -o cat || true");
    if (send.result !== "success") return result("fail", `mailfort-tlsrpt-send.service ended ${send.result} (status ${send.exitStatus}) after ${send.seconds} s: ${unitLog.replace(/\s+/g, " ").slice(0, 800)}`);
    log(`tlsrpt: ${events} events today; mailfort-tlsrpt-send ran in ${send.seconds} s: ${unitLog.replace(/\s+/g, " ").slice(0, 300)}`);
    let problems = ["no report arrived yet"];
    while (Date.now() - sentAt < ARRIVAL_TIMEOUT_MS) {
      await sleep(5000);
      const mails = reportMails(sendStarted);
      if (mails.size < TLS_RECEIVERS.length) {
        problems = [`${mails.size} of ${TLS_RECEIVERS.length} reports arrived (${[...mails.keys()].join(", ") || "none"})`];
        // Reports that waited for an MTA-STS policy fetch go now, not after Postfix's backoff.
        if (Date.now() - sentAt > 30_000) await guestExec(["postqueue", "-f"]);
        continue;
      }
      const store = mkdtempSync(join(tmpdir(), "mailfort-lab-tlsrpt-"));
      try {
        const signedBy = new Map<string, string>();
        for (const [domain, raw] of mails) {
          const outcomes = await ingest(store, `report for ${domain}`, raw, DEFAULT_LIMITS);
          const refused = outcomes.find((o) => o.outcome === "refused");
          if (refused?.outcome === "refused") return result("fail", `the report for ${domain} was refused by the reader: ${refused.refusal.message}`);
          const d = /^DKIM-Signature:[^]*?\bd=([^;\s]+)/im.exec(raw.toString("latin1"))?.[1];
          if (d !== undefined) signedBy.set(domain, d.toLowerCase());
        }
        problems = judgeOutboundReports(loadStore(store, DEFAULT_LIMITS).tls, signedBy, firstDomain);
      } finally {
        rmSync(store, { recursive: true, force: true });
      }
      if (problems.length === 0) return result("pass", `${TLS_RECEIVERS.length} reports at tlsrpt@sts-valid.test after ${Math.round((Date.now() - started) / 1000)} s (${events} events that day): sts-wrong.test certificate-host-mismatch; sts-valid.test, dane.test, plain.test successful; each signed d=${firstDomain}`);
      break;
    }
    const where = await guestShell("postqueue -p | tail -n 5; journalctl -q --no-pager -o cat SYSLOG_IDENTIFIER=postfix/smtp --since=-10min | grep -i tlsrpt | tail -n 5 || true").catch(() => "");
    return result("fail", `${problems.join("; ")}; on the server: ${where.replace(/\s+/g, " ").trim().slice(0, 600)}`);
  } catch (e) {
    return result("fail", e instanceof Error ? e.message : String(e));
  }
}

// npm run reports -- ingest --dir <store> [--pipe] [file...]   (no file: one mail on stdin)
// npm run reports -- send-tls --events <dir> --submitter <host> --from <address> [--day <YYYY-MM-DD|today>] [--sendmail <path>]
// npm run reports -- summary --dir <store> [--own <cidr>...] [--threshold <percent>] [--days <n>] [--json] [--fail-on-alert]
// ingest: report mails (or bare .xml.gz/.zip/.json.gz files) into the store; exit 2 when
// anything was refused (the refusal is kept in <store>/refused). With --pipe, the exit codes
// Postfix's pipe(8) understands: 0 once the mail is taken (stored, or refused and noted: a
// hostile report must not bounce back to its sender), 75 (EX_TEMPFAIL, Postfix retries later)
// when the store cannot be written. summary: per domain, who sends
// as you, what passes and fails, which TLS sessions to your MX fail, and the alerts.
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_LIMITS, ingestInputs, loadStore, ownSources, summarise, summaryText, withinDays, type IngestOutcome } from "../reports";
import { RETRY_DAYS, daysToSend, sendDay, type SendResult } from "../reports/tlsrpt-send";
import { httpsTransport, sendmailTransport } from "../reports/tlsrpt-transports";

/** sysexits.h: a temporary failure; Postfix's pipe(8) defers the mail and retries. */
const EX_TEMPFAIL = 75;

const program = new Command("reports").description("read DMARC aggregate (RFC 7489) and TLS-RPT (RFC 8460) reports");

function describe(o: IngestOutcome): string {
  return o.outcome === "refused"
    ? `refused [${o.refusal.code}] ${o.refusal.message}\n  (noted in ${o.note})`
    : `${o.outcome} ${o.kind} report for ${o.domain}: ${o.file}`;
}

program.command("ingest")
  .description("take report mails (or bare report files) into the store")
  .requiredOption("--dir <path>", "the report store")
  .option("--type <media-type>", "what a bare report file is (for a mail, its MIME headers say)", "application/octet-stream")
  .option("--pipe", "exit codes for Postfix pipe(8): 0 when taken (stored or refused and noted), 75 to retry on an internal error")
  .argument("[files...]", "mail messages (.eml) or report files; none: one mail on stdin")
  .action(async (files: string[], o: { dir: string; type: string; pipe?: boolean }) => {
    try {
      const inputs = files.length ? files.map((f) => ({ source: f, from: f })) : [{ source: "stdin", from: 0 }];
      const outcomes = await ingestInputs(o.dir, inputs, DEFAULT_LIMITS, o.type);
      for (const outcome of outcomes) (outcome.outcome === "refused" ? process.stderr : process.stdout).write(describe(outcome) + "\n");
      const refused = outcomes.filter((x) => x.outcome === "refused").length;
      if (refused > 0 && o.pipe !== true) process.exitCode = 2;
    } catch (e) {
      if (o.pipe !== true) throw e;
      process.stderr.write(`reports: ${(e as Error).message} (the mail stays queued)\n`);
      process.exitCode = EX_TEMPFAIL;
    }
  });

function days(value: string): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1 || v > 366) throw new InvalidArgumentError(`expected a whole number of days from 1 to 366, got ${JSON.stringify(value)}`);
  return v;
}

function percent(value: string): number {
  const v = Number(value.replace(/%$/, ""));
  if (!Number.isFinite(v) || v < 0 || v > 100) throw new InvalidArgumentError(`expected a percentage from 0 to 100, got ${JSON.stringify(value)}`);
  return v / 100;
}

program.command("summary")
  .description("per domain: who sends as you, DMARC pass/fail, TLS failures, alerts")
  .requiredOption("--dir <path>", "the report store")
  .option("--own <cidr...>", "your sending addresses (the server's public IP, relay ranges such as SES): failures from these are alerts", [])
  .option("--threshold <percent>", "failure rate above which one of your sources (or TLS to your MX) is an alert", percent, 0.02)
  .option("--days <n>", "only the reports whose period ended in the last n days (monitoring: an alert clears once its reports are older)", days)
  .option("--json", "machine-readable JSON (for monitoring)")
  .option("--fail-on-alert", "exit 3 when there is an alert")
  .action((o: { dir: string; own: string[]; threshold: number; days?: number; json?: boolean; failOnAlert?: boolean }) => {
    const own = ownSources(o.own);
    const stored = loadStore(o.dir, DEFAULT_LIMITS);
    const summary = summarise(o.days === undefined ? stored : withinDays(stored, o.days, new Date()), own, o.threshold);
    process.stdout.write(o.json ? JSON.stringify(summary, null, 2) + "\n" : summaryText(summary, o.dir));
    if (o.failOnAlert && summary.alerts.length > 0) process.exitCode = 3;
  });

function utcDay(value: string): string {
  if (value === "today") return new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new InvalidArgumentError(`expected a UTC day as YYYY-MM-DD or "today", got ${JSON.stringify(value)}`);
  return value;
}

program.command("send-tls")
  .description("send the TLS reports (RFC 8460) of one UTC day of this host's outbound sessions to the receivers that ask for them")
  .requiredOption("--events <dir>", "where mailfort-tlsrpt-collect writes Postfix's TLSRPT events (one file per UTC day)")
  .requiredOption("--submitter <host>", "this MTA's host name (the report's submitter and file name)")
  .requiredOption("--from <address>", "the reports' sender address (one of the stack's own, so it is DKIM-signed)")
  .option("--organization <name>", "the report's organization-name (default: the submitter)")
  .option("--day <day>", `one UTC day to report: YYYY-MM-DD or "today" (default: yesterday, and what the ${RETRY_DAYS - 1} days before it did not reach yet)`, utcDay)
  .option("--sendmail <path>", "the sendmail program for mailto: destinations", "/usr/sbin/sendmail")
  .action(async (o: { events: string; submitter: string; from: string; organization?: string; day?: string; sendmail: string }) => {
    const now = new Date();
    const results: SendResult[] = [];
    for (const day of o.day === undefined ? daysToSend(now) : [o.day]) {
      results.push(await sendDay({
        dir: o.events, day, today: now.toISOString().slice(0, 10),
        reporter: { organization: o.organization ?? o.submitter, contact: o.from, submitter: o.submitter }, from: o.from,
        limits: DEFAULT_LIMITS, transports: { sendmail: sendmailTransport(o.sendmail), post: httpsTransport() },
        log: (l) => process.stderr.write(`reports: ${l}\n`),
      }));
    }
    for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
    // Exit 75 (EX_TEMPFAIL) when a destination failed: the unit shows failed, the next day's run tries again.
    if (results.some((r) => r.failed.length > 0)) process.exitCode = EX_TEMPFAIL;
  });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`reports: ${(e as Error).message}\n`);
  process.exitCode = 1;
});

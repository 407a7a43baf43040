// DMARC aggregate and TLS-RPT reports read on the mail host (docs/reports.md, "How it works on the
// host"), stated once: which addresses Postfix pipes into the report reader, the system user it
// runs as, where the store lives, the limits around one run, and which sending addresses are
// the stack's own (a failure from one of them is an alert, from any other it is spoofing).
import { type MailConfig, REPORT_ACCOUNTS, mailDomains } from "../config";

/** The store, on the data volume: reports survive an instance replacement. */
export const REPORTS_STORE_SUBDIR = "reports";
/** The system user the pipe and the summary timer run as: no login, owns only the store. */
export const REPORTS_USER = "mailfort-reports";
/** Fixed uid/gid, so a re-attached data volume keeps the store's owner (as vmail's 5000). */
export const REPORTS_ID = 5001;
/** Postfix's master.cf service name of the pipe (transport_maps points the report addresses at it). */
export const REPORTS_TRANSPORT = "mailfort-reports";

/**
 * Limits around one run of the reader (mailfort-reports-ingest.service runs one per spooled report
 * mail). Its own caps (reports/limits.ts: 8 MiB a mail, 8 MiB a report) bound what it reads; these
 * bound the process if a bug let something through:
 * - V8's heap at 256 MiB: a report at the caps peaks at ~180 MiB resident (npm run bench:reports);
 * - the address space (the unit's LimitAS=) at 1.5 GiB: Node reserves ~750 MiB of address space
 *   before it reads a byte, and 1 GiB already fails a report at the caps, so this is the smallest
 *   round figure above what a run at the caps needs;
 * - at most 2 spool writers at once (master.cf maxproc), 120 s for each reader run;
 * - the spool keeps at most the reader's mail cap (mailMb, the same figure as reports/limits.ts
 *   maxMessageBytes; a test holds them together) of one mail, plus a byte so the reader refuses it.
 * A run that hits a limit dies by a signal or a heap abort: its mail is held back and read again
 * by the hourly run; Postfix has already delivered it to the spool, so nothing ever bounces.
 */
export const REPORTS_LIMITS = { heapMb: 256, addressSpaceMb: 1536, processes: 2, timeLimitSeconds: 120, mailMb: 8 } as const;

/**
 * Outbound TLS reports (RFC 8460, the reports this server sends about its deliveries): Postfix's
 * TLSRPT events go to a unix datagram socket named relative to the queue directory (so smtp(8)
 * finds it inside its chroot as well as outside), and mailfort-tlsrpt-collect keeps them in one
 * file per UTC day in the store's `tls-events` folder, next to the reports received.
 */
export const TLSRPT_SOCKET_NAME = "run/tlsrpt/tlsrpt.sock";
export const POSTFIX_QUEUE_DIR = "/var/spool/postfix";
export const TLSRPT_EVENTS_SUBDIR = "tls-events";

/** The reports' sender: the first mail domain's TLS report address (Rspamd signs it; bounces come back to the reader). */
export function tlsReportSender(cfg: MailConfig): string {
  const first = mailDomains(cfg)[0];
  if (first === undefined) throw new Error("internal: a stack without a mail domain reached the host rendering");
  return `${REPORT_ACCOUNTS.tlsRpt}@${first.name}`;
}

/** The monitoring's window: an alert clears once the reports that raised it are this old. */
export const REPORTS_WINDOW_DAYS = 3;

/**
 * Amazon SES's sending ranges (the ip4 mechanisms of amazonses.com's SPF record, which
 * `include:amazonses.com` in our SPF pulls in): with outbound.mode ses every message leaves
 * through one of them, so they are the stack's own sources. SES announces changes to this record;
 * update the list with it.
 */
export const SES_SENDING_RANGES: readonly string[] = [
  "199.255.192.0/22", "199.127.232.0/22", "54.240.0.0/18", "69.169.224.0/20", "23.249.208.0/20", "23.251.224.0/19",
  "76.223.176.0/20", "54.240.64.0/19", "54.240.96.0/19", "76.223.128.0/19", "216.221.160.0/19", "206.55.144.0/20",
];

/**
 * Every report address Postfix pipes into the reader: dmarc-reports@ and tls-reports@ of each
 * receiving domain, except one the stack declared as a mailbox or an alias (a stack from before the
 * reader, whose explicit `dmarc.rua` points there, keeps its reports where they went).
 */
export function reportAddresses(cfg: MailConfig): string[] {
  const taken = new Set([...cfg.mailboxes.map((m) => m.address), ...cfg.aliases.map((a) => a.from)]);
  return mailDomains(cfg).flatMap((d) => [`${REPORT_ACCOUNTS.dmarc}@${d.name}`, `${REPORT_ACCOUNTS.tlsRpt}@${d.name}`]).filter((a) => !taken.has(a));
}

/**
 * The own sources the stack knows when it renders the host: SES's ranges when it relays through
 * SES. The server's own public address is added on the host at run time (mailfort-reports: the
 * A and AAAA records of the MX hostname, which the stack publishes as the Elastic IP): the address
 * is allocated by the same `pulumi up` that renders these files, so rendering it here would make
 * the host bundle wait for AWS, and replace the instance whenever the address changed.
 */
export function renderedOwnSources(cfg: MailConfig): string[] {
  return cfg.outbound.mode === "ses" ? [...SES_SENDING_RANGES] : [];
}

// An outbound TLS report as the mail RFC 8460 section 5.3 describes: multipart/report with
// report-type "tlsrpt", a short human-readable part, and the report as application/tlsrpt+gzip
// named per section 5.1, with the TLS-Report-Domain and TLS-Report-Submitter headers and the
// subject of section 5.3.1. Built with nodemailer's MIME tree (encodings, boundaries, header
// folding), not by hand. The receiving side's DKIM check is satisfied by this host's Rspamd,
// which signs the mail as it leaves (the sender address is one of the stack's own).
import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import MimeNode from "nodemailer/lib/mime-node";
import { reportFileName, type OutboundReport, type Reporter } from "./tlsrpt-outbound";

export interface ReportMail {
  readonly from: string;
  readonly to: string;
  /** The raw message, CRLF line ends, ready for sendmail -t or an SMTP DATA. */
  readonly message: Buffer;
  readonly fileName: string;
  /** The gzip attachment alone (what an https: destination gets as its POST body). */
  readonly gzip: Buffer;
}

function summaryText(r: OutboundReport, day: string, submitter: string): string {
  const lines = [`This is an SMTP TLS report (RFC 8460) for ${r.domain}, ${day} (UTC), from ${submitter}.`, ""];
  for (const p of r.report.policies) {
    lines.push(`${p.policy["policy-type"]} policy of ${p.policy["policy-domain"]}: ${p.summary["total-successful-session-count"]} successful, ${p.summary["total-failure-session-count"]} failed sessions`);
    for (const d of p["failure-details"] ?? []) lines.push(`  ${d["result-type"]}: ${d["failed-session-count"]} to ${d["receiving-mx-hostname"] ?? d["receiving-ip"] ?? "?"}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The report as both transports carry it: gzip of the JSON (RFC 8460 section 5.2 and 5.3). */
export const reportGzip = (r: OutboundReport): Buffer => gzipSync(Buffer.from(r.json, "utf8"));

export async function reportMail(r: OutboundReport, to: string, day: string, reporter: Reporter, from: string, now = new Date()): Promise<ReportMail> {
  const fileName = reportFileName(reporter.submitter, r.domain, day);
  const gzip = reportGzip(r);
  const root = new MimeNode('multipart/report; report-type="tlsrpt"', { newline: "\r\n" });
  root.setHeader({
    From: from,
    To: to,
    Subject: `Report Domain: ${r.domain} Submitter: ${reporter.submitter} Report-ID: <${r.report["report-id"]}>`,
    Date: now.toUTCString().replace(/GMT$/, "+0000"),
    "Message-ID": `<${randomUUID()}@${reporter.submitter}>`,
    "TLS-Report-Domain": r.domain,
    "TLS-Report-Submitter": reporter.submitter,
    "Auto-Submitted": "auto-generated",
  });
  root.createChild("text/plain; charset=utf-8").setContent(summaryText(r, day, reporter.submitter));
  root.createChild("application/tlsrpt+gzip", { filename: fileName }).setContent(gzip);
  return { from, to, message: rfcHeaderCase(await root.build()), fileName, gzip };
}

/**
 * nodemailer writes header names in its own case ("Tls-Report-Domain"). Header names are
 * case-insensitive (RFC 5322), but the RFC's spelling is what people grep for: restored in the
 * top-level header block only, never in the body.
 */
function rfcHeaderCase(message: Buffer): Buffer {
  const text = message.toString("latin1");
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return message;
  const head = text.slice(0, end).replace(/^Tls-Report-(Domain|Submitter):/gm, "TLS-Report-$1:");
  return Buffer.from(head + text.slice(end), "latin1");
}
